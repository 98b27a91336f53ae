package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.launcher.SystemOptions;
import io.bookmarket.reliability.Http.Answer;
import io.bookmarket.stack.QuarkusApp;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static io.bookmarket.reliability.Tokens.PUBLISHER;
import static io.bookmarket.reliability.Tokens.PUBL_ID;
import static io.bookmarket.reliability.Tokens.REVIEWER;
import static io.bookmarket.reliability.Topics.APPROVE_TOPIC;
import static io.bookmarket.reliability.Topics.REGREQUEST_TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/**
 * The reliability suite: the whole system (PostgreSQL, MariaDB, Kafka, Kafka Connect + Debezium, Keycloak, three
 * services as separate processes, two replicas each behind the gateway) under crashes, replays, poison messages, races,
 * hostile input and outages. Each scenario family is a class of its own; they share one system start
 * ({@link ReliabilitySystem}) and run in the order of their {@code @Order}, each printing its figures. Every call
 * carries a token of the real Keycloak: publisher100 files and cancels, the reviewer decides ({@link Tokens}).
 */
@ExtendWith(ReliabilitySystem.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class Scenario {

    static final Duration EVENTUALLY = Duration.ofSeconds(30);
    /** Every request that got a 201, in any scenario: all must exist at the end. */
    static final Set<Long> ACCEPTED = ConcurrentHashMap.newKeySet();
    /** Every service runs this many replicas behind the gateway: consumers share partitions, redeploys roll. */
    static final int REPLICAS = 2;
    /** Each consumer's dead-letter topic and the topic it consumes. */
    static final Map<String, String> DEAD_LETTER_TOPICS = Map.of(
            "approval-service.regrequest-events.dlq", REGREQUEST_TOPIC,
            "publisher-view.regrequest-events.dlq", REGREQUEST_TOPIC,
            "regrequest-service.approve-events.dlq", APPROVE_TOPIC,
            "publisher-view.approve-events.dlq", APPROVE_TOPIC);
    static SystemOptions options;
    static LocalSystem system;
    static Databases db;
    static Topics topics;
    static Consistency consistency;
    static Tokens tokens;

    /** channel@service -> bookmarket_events_dead_lettered_total summed over topics and reasons. */
    static Map<String, Double> deadLetterMetrics() {
        Map<String, Double> sums = new TreeMap<>();
        // The value may be followed by an exemplar (" # {span_id=...,trace_id=...} ..."): the counter is incremented inside a trace.
        Pattern counter = Pattern.compile("(?m)^bookmarket_events_dead_lettered_total\\{([^}]*)} ([0-9.E+-]+)(?: #.*)?$");
        Pattern channel = Pattern.compile("channel=\"([^\"]+)\"");
        for (String service : List.of(REGREQUEST, APPROVAL, PUBLISHER_VIEW)) {
            for (QuarkusApp replica : system.replicas(service)) { // each replica counts what it sent: summed per service
                Matcher m = counter.matcher(Http.getOpen(replica.url() + "/q/metrics").body());
                while (m.find()) {
                    Matcher name = channel.matcher(m.group(1));
                    sums.merge((name.find() ? name.group(1) : "?") + "@" + service, Double.parseDouble(m.group(2)), Double::sum);
                }
            }
        }
        return sums;
    }

    /** Waits (30 s at most) until the three services agree and every event reached every consumer; fails otherwise. */
    static Consistency.Figures awaitConsistent(String when, java.util.Collection<Long> accepted) {
        return awaitConsistent(when, accepted, EVENTUALLY);
    }

    static Consistency.Figures awaitConsistent(String when, java.util.Collection<Long> accepted, Duration atMost) {
        long begin = System.nanoTime();
        Consistency.Figures[] last = new Consistency.Figures[1];
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
                last[0] = consistency.check(accepted);
                return last[0].consistent();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Not consistent " + atMost.toSeconds() + " s " + when + ": "
                    + (last[0] == null ? "no check finished" : last[0].problems()), e);
        }
        assertThat(last[0].doubleEffects()).isZero();
        assertThat(last[0].missingDeliveries()).isZero();
        return last[0];
    }

    /** Every replica of the service reports not ready (503) because its database check is DOWN; returns the checks made. */
    static int assertReadinessDown(String service) {
        int checks = 0;
        for (QuarkusApp replica : system.replicas(service)) {
            Answer ready = Http.getOpen(replica.url() + "/q/health/ready");
            assertThat(ready.status()).as("readiness of %s while its database is down: %s", replica.url(), ready.body()).isEqualTo(503);
            assertThat(ready.body()).as("the check that is DOWN").contains("Database connections health check").contains("DOWN");
            checks++;
        }
        return checks;
    }

    /** publisher100 files a request. */
    static long file() {
        return file(PUBLISHER, PUBL_ID, "reliability");
    }

    /** A publisher (demo user and its publId) files a request with its own token. */
    static long file(String publisher, long publId, String bookNm) {
        Answer a = Http.postJson(system.url(REGREQUEST) + "/regRequests",
                Map.of("bookId", 1 + ACCEPTED.size() % 1000, "bookNm", bookNm, "publId", publId), tokens.of(publisher));
        assertThat(a.status()).as("POST /regRequests as %s: %s", publisher, a.body()).isEqualTo(201);
        ACCEPTED.add(a.id());
        return a.id();
    }

    static long awaitConfirmedTicket(long reqId) {
        return await().atMost(EVENTUALLY).until(() -> {
            Databases.Ticket t = db.ticketsByRequest().get(reqId);
            return t != null && t.confirmed() ? t.id() : null;
        }, t -> t != null);
    }

    static void approve(long ticketId) {
        Answer a = Http.patchJson(system.url(APPROVAL) + "/approves/" + ticketId, Map.of("appYn", "Approved"), tokens.of(REVIEWER));
        assertThat(a.status()).as("PATCH /approves/%d: %s", ticketId, a.body()).isEqualTo(200);
    }

    /** publisher100 cancels its request. */
    static Answer cancel(long reqId) {
        return Http.delete(system.url(REGREQUEST) + "/regRequests/" + reqId, tokens.of(PUBLISHER));
    }

    static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void print(String format, Object... args) {
        System.out.printf("RELIABILITY: " + format + "%n", args);
    }

    static long millisSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
