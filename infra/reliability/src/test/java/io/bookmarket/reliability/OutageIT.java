package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.reliability.Http.Answer;
import io.bookmarket.stack.QuarkusApp;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.KAFKA;
import static io.bookmarket.launcher.LocalSystem.KAFKA_CONNECT;
import static io.bookmarket.launcher.LocalSystem.MARIADB;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static io.bookmarket.reliability.Tokens.PUBLISHER;
import static io.bookmarket.reliability.Tokens.PUBL_ID;
import static io.bookmarket.reliability.Tokens.REVIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/** Longer outages: Kafka, then Kafka Connect, then MariaDB (approval-service's database) for 3 minutes. */
@Order(4)
class OutageIT extends Scenario {
    /** {@code -Doutage.seconds=N}: how long MariaDB stays down in the database outage (the 3 minutes). */
    private static final long OUTAGE_SECONDS = Long.getLong("outage.seconds", 180);

    @Test
    @Order(1)
    void withKafkaOrConnectDownFilingAndCancellingStillSucceedAndAreDeliveredLater() {
        for (String component : List.of(KAFKA, KAFKA_CONNECT)) {
            List<Long> confirmed = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                confirmed.add(file());
            }
            List<Long> tickets = confirmed.stream().map(Scenario::awaitConfirmedTicket).toList();
            system.kill(component);
            Set<Long> filed = Load.newAcceptedSet();
            int cancels = 0;
            int approvals = 0;
            try {
                for (int i = 0; i < 20; i++) {
                    filed.add(file());
                }
                for (int i = 0; i < 5; i++) {
                    Answer cancel = cancel(confirmed.get(i));
                    assertThat(cancel.status()).as("DELETE while %s is down: %s", component, cancel.body()).isEqualTo(200);
                    cancels++;
                    approve(tickets.get(5 + i));
                    approvals++;
                }
                Answer cancelNew = cancel(filed.iterator().next());
                assertThat(cancelNew.status()).isEqualTo(200);
                cancels++;
            } finally {
                long begin = System.nanoTime();
                system.restart(component);
                print("outage: %s restarted in %d ms", component, millisSince(begin));
            }
            long back = System.nanoTime();
            Set<Long> all = new java.util.HashSet<>(filed);
            all.addAll(confirmed);
            ACCEPTED.addAll(all);
            Consistency.Figures figures = awaitConsistent(component + " outage", all);
            print("outage of %s: %d POST 201, %d DELETE 200, %d PATCH 200 while it was down; all delivered and agreed %d ms after it came back "
                    + "(duplicated deliveries seen so far %d, double effects %d)", component, filed.size(), cancels, approvals,
                    millisSince(back), figures.duplicateDeliveries(), figures.doubleEffects());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 6b. Outage of MariaDB (approval-service's database)
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * approval-service's database down for 3 minutes ({@code -Doutage.seconds}): filing is refused (503 + Retry-After,
     * nothing stored, no event), reviews cannot be decided (503), readiness of both replicas says the database is DOWN,
     * cancelling still succeeds in regrequest-service, and approval-service's consumers, which retried the cancellations
     * all along, apply them by themselves once MariaDB is back: nothing dead-lettered, the three services agree within 30 s.
     */
    @Test
    @Order(2)
    void withMariaDbDownFilingIsRefusedAndCancellationsAreAppliedWhenItIsBack() {
        List<Long> confirmed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            confirmed.add(file());
        }
        List<Long> tickets = confirmed.stream().map(Scenario::awaitConfirmedTicket).toList();
        Map<String, Double> deadLetteredBefore = deadLetterMetrics();
        int requestsBefore = db.requests().size();
        Map<Integer, Integer> postAnswers = new TreeMap<>();
        int cancels = 0;
        int refusedDecisions = 0;
        int healthChecks = 0;
        system.kill(MARIADB);
        long down = System.nanoTime();
        try {
            for (int i = 0; i < 3; i++) {
                Answer cancel = cancel(confirmed.get(i));
                assertThat(cancel.status()).as("DELETE while MariaDB is down: %s", cancel.body()).isEqualTo(200);
                cancels++;
            }
            Answer decision = Http.patchJson(system.url(APPROVAL) + "/approves/" + tickets.get(4), Map.of("appYn", "Approved"),
                    tokens.of(REVIEWER));
            assertThat(decision.status()).as("PATCH while MariaDB is down: %s", decision.body()).isEqualTo(503);
            assertThat(decision.contentType()).startsWith("application/problem+json");
            refusedDecisions++;
            // The consumers of approval-service's replicas retry the cancellations all along; readiness shows why.
            while (System.nanoTime() - down < Duration.ofSeconds(OUTAGE_SECONDS).toNanos()) {
                Answer post = Http.postJson(system.url(REGREQUEST) + "/regRequests",
                        Map.of("bookId", 7, "bookNm", "while MariaDB is down", "publId", PUBL_ID), tokens.of(PUBLISHER));
                postAnswers.merge(post.status(), 1, Integer::sum);
                assertThat(post.status()).as("POST while MariaDB is down: %s", post.body()).isEqualTo(503);
                assertThat(post.headers().keySet()).as("Retry-After").anyMatch("Retry-After"::equalsIgnoreCase);
                healthChecks += assertReadinessDown(APPROVAL);
                sleep(2000);
            }
        } finally {
            long begin = System.nanoTime();
            system.restart(MARIADB);
            print("outage: MariaDB restarted in %d ms", millisSince(begin));
        }
        long back = System.nanoTime();
        assertThat(db.requests()).as("requests stored while MariaDB was down").hasSize(requestsBefore);
        // Filing resumes by itself once the breaker's delay is over and its trial call succeeds.
        long filedAgain = await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(500)).until(() -> {
            Answer post = Http.postJson(system.url(REGREQUEST) + "/regRequests",
                    Map.of("bookId", 8, "bookNm", "after the MariaDB outage", "publId", PUBL_ID), tokens.of(PUBLISHER));
            return post.status() == 201 ? post.id() : null;
        }, id -> id != null);
        ACCEPTED.add(filedAgain);
        confirmed.add(filedAgain);
        long filingResumedMs = millisSince(back);
        Consistency.Figures figures = awaitConsistent("MariaDB outage", confirmed);
        for (int i = 0; i < 3; i++) {
            assertThat(db.ticketsByRequest().get(confirmed.get(i)).appYn()).as("review of a request cancelled during the outage")
                    .isEqualTo("AppCanceled");
        }
        approve(tickets.get(4));
        awaitConsistent("MariaDB outage, decision after it", confirmed);
        assertThat(deadLetterMetrics()).as("nothing dead-lettered because of the outage").isEqualTo(deadLetteredBefore);
        for (QuarkusApp replica : system.replicas(APPROVAL)) {
            assertThat(Http.getOpen(replica.url() + "/q/health/ready").status()).as("readiness of %s after the outage", replica.url())
                    .isEqualTo(200);
        }
        print("outage of MariaDB for %d s: POST answers %s (nothing stored), %d DELETE 200, %d PATCH 503; readiness of "
                        + "approval-service's %d replicas DOWN (database) in all %d checks; filing resumed %d ms after it came back; "
                        + "the cancellations waited out the outage in the consumers, then were applied, and all agreed %d ms after "
                        + "it came back; nothing dead-lettered, readiness UP (duplicated deliveries seen so far %d, double effects %d)",
                Duration.ofNanos(back - down).toSeconds(), postAnswers, cancels, refusedDecisions, REPLICAS, healthChecks,
                filingResumedMs, millisSince(back), figures.duplicateDeliveries(), figures.doubleEffects());
    }
}
