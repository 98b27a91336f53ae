package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.reliability.Http.Answer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static io.bookmarket.reliability.Tokens.OTHER_PUBLISHER;
import static io.bookmarket.reliability.Tokens.OTHER_PUBL_ID;
import static io.bookmarket.reliability.Tokens.PUBLISHER;
import static io.bookmarket.reliability.Tokens.PUBL_ID;
import static io.bookmarket.reliability.Tokens.REVIEWER;
import static io.bookmarket.reliability.Topics.APPROVE_TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/** A reviewer's decision and the publisher's cancel at the same moment, a thousand times each: one agreed end. */
@Order(5)
class RacesIT extends Scenario {

    @Test
    @Order(1)
    void approveVersusCancelRacesConvergeToTheCancel() throws Exception {
        int pairs = Integer.getInteger("races.pairs", 1000);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        long begin = System.nanoTime();
        List<Future<Long>> filing = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            filing.add(pool.submit(() -> file()));
        }
        List<Long> ids = new ArrayList<>();
        for (Future<Long> f : filing) {
            ids.add(f.get());
        }
        ACCEPTED.addAll(ids);
        print("races: %d requests filed in %d ms", pairs, millisSince(begin));
        Map<Long, Long> ticketOf = new ConcurrentHashMap<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<Long, Databases.Ticket> tickets = db.ticketsByRequest();
            ids.forEach(id -> {
                Databases.Ticket t = tickets.get(id);
                if (t != null && t.confirmed()) {
                    ticketOf.put(id, t.id());
                }
            });
            return ticketOf.size() == pairs;
        });
        Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        List<Future<?>> racing = new ArrayList<>();
        begin = System.nanoTime();
        for (long id : ids) {
            Runnable approveIt = () -> answers.computeIfAbsent("PATCH Approved " + Http.patchJson(system.url(APPROVAL) + "/approves/"
                    + ticketOf.get(id), Map.of("appYn", "Approved"), tokens.of(REVIEWER)).status(), k -> new AtomicLong()).incrementAndGet();
            Runnable cancelIt = () -> answers.computeIfAbsent("DELETE " + cancel(id).status(), k -> new AtomicLong()).incrementAndGet();
            if (id % 2 == 0) {
                racing.add(pool.submit(approveIt));
                racing.add(pool.submit(cancelIt));
            } else {
                racing.add(pool.submit(cancelIt));
                racing.add(pool.submit(approveIt));
            }
        }
        for (Future<?> f : racing) {
            f.get();
        }
        pool.shutdown();
        long raced = System.nanoTime();
        print("races: %d approve-vs-cancel pairs sent concurrently in %d ms: %s", pairs, millisSince(begin), new TreeMap<>(answers));
        // 1,000 cancels mean 3,000 more events to apply one by one (ReqCanceled at two consumers, then AppCanceled at
        // two): a bulk backlog, so a longer "eventually" than the 30 s after a single crash.
        Consistency.Figures figures = awaitConsistent("races", ids, Duration.ofSeconds(120));
        Map<Long, String> requests = db.requests();
        Map<Long, Databases.Ticket> tickets = db.ticketsByRequest();
        Map<Long, String> views = db.views();
        Map<String, Integer> finals = new TreeMap<>();
        ids.forEach(id -> finals.merge(requests.get(id) + "/" + tickets.get(id).appYn() + "/" + views.get(id), 1, Integer::sum));
        print("races: converged %d ms after the last answer; final states (request/ticket/view): %s; double effects %d",
                millisSince(raced), finals, figures.doubleEffects());
        assertThat(answers.keySet()).allMatch(k -> k.equals("DELETE 200") || k.equals("PATCH Approved 200") || k.equals("PATCH Approved 409"));
        assertThat(finals).as("the documented outcome: the publisher's cancel wins").isEqualTo(Map.of("ReqCanceled/AppCanceled/ReqCanceled", pairs));
    }


    /** Requests (PATCH and DELETE together) in flight at once in the reject-vs-cancel races: two per pair. */
    private static final int RACE_THREADS = 24;

    /**
     * 1,000 requests filed by publisher100 and publisher200 (each with its own token), each rejected by the reviewer
     * and cancelled by its publisher at the same moment (PATCH appYn=Rejected and DELETE released together, 12 pairs
     * in flight). Every request must end in one state the three services agree on: request ReqCanceled, ticket
     * AppCanceled, view ReqCanceled when the DELETE was accepted (the publisher's cancel wins, also over a rejection
     * approval-service stored first); Rejected in all three when regrequest-service had already applied the rejection
     * and refused the DELETE (409). {@code -Draces.pairs=N} changes the size, as for the approve-vs-cancel races.
     */
    @Test
    @Order(2)
    void rejectVersusCancelRacesEndInOneAgreedState() throws Exception {
        int pairs = Integer.getInteger("races.pairs", 1000);
        long scenario = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(RACE_THREADS);
        try {
            // Filed by both publishers, alternately: each request is cancelled with its own publisher's token.
            long begin = System.nanoTime();
            List<Future<Long>> filing = new ArrayList<>();
            Map<Long, String> owner = new ConcurrentHashMap<>();
            for (int i = 0; i < pairs; i++) {
                String publisher = i % 2 == 0 ? PUBLISHER : OTHER_PUBLISHER;
                long publId = i % 2 == 0 ? PUBL_ID : OTHER_PUBL_ID;
                filing.add(pool.submit(() -> {
                    long id = file(publisher, publId, "reject-vs-cancel race");
                    owner.put(id, publisher);
                    return id;
                }));
            }
            List<Long> ids = new ArrayList<>();
            for (Future<Long> f : filing) {
                ids.add(f.get());
            }
            long filedMs = millisSince(begin);
            begin = System.nanoTime();
            Map<Long, Long> ticketOf = awaitConfirmedTickets(ids, Duration.ofSeconds(60));
            print("reject-vs-cancel races: %d requests filed (publisher100 %d, publisher200 %d) in %d ms, all reviews confirmed %d ms later",
                    pairs, owner.values().stream().filter(PUBLISHER::equals).count(),
                    owner.values().stream().filter(OTHER_PUBLISHER::equals).count(), filedMs, millisSince(begin));

            // Each pair: the reviewer's PATCH and the publisher's DELETE wait for each other, then go out together.
            // Submitted side by side into one FIFO pool, so a waiting half always finds its partner taken or next.
            Map<Long, Answer> rejections = new ConcurrentHashMap<>();
            Map<Long, Answer> cancels = new ConcurrentHashMap<>();
            List<Future<?>> racing = new ArrayList<>();
            begin = System.nanoTime();
            for (long id : ids) {
                CyclicBarrier together = new CyclicBarrier(2);
                racing.add(pool.submit(() -> {
                    String reviewer = tokens.of(REVIEWER);
                    together.await(30, TimeUnit.SECONDS);
                    rejections.put(id, Http.patchJson(system.url(APPROVAL) + "/approves/" + ticketOf.get(id),
                            Map.of("appYn", "Rejected"), reviewer));
                    return null;
                }));
                racing.add(pool.submit(() -> {
                    String publisher = tokens.of(owner.get(id));
                    together.await(30, TimeUnit.SECONDS);
                    cancels.put(id, Http.delete(system.url(REGREQUEST) + "/regRequests/" + id, publisher));
                    return null;
                }));
            }
            for (Future<?> f : racing) {
                f.get();
            }
            long raced = System.nanoTime();
            Map<String, Integer> answers = new TreeMap<>();
            rejections.values().forEach(a -> answers.merge("PATCH Rejected " + statusAndProblem(a), 1, Integer::sum));
            cancels.values().forEach(a -> answers.merge("DELETE " + statusAndProblem(a), 1, Integer::sum));
            print("reject-vs-cancel races: %d pairs (PATCH Rejected + DELETE released together, %d in flight) answered in %d ms: %s",
                    pairs, RACE_THREADS, millisSince(begin), answers);

            // Up to 4,000 more events (Rejected and ReqCanceled at two consumers each, then AppCanceled at two): the
            // same bound as the approve-vs-cancel races.
            Consistency.Figures figures = awaitConsistent("reject-vs-cancel races", ids, Duration.ofSeconds(120));
            long agreedMs = millisSince(raced);
            Map<Long, String> requests = db.requests();
            Map<Long, Databases.Ticket> tickets = db.ticketsByRequest();
            Map<Long, String> views = db.views();
            Map<String, Integer> finals = new TreeMap<>();
            List<String> wrong = new ArrayList<>();
            for (long id : ids) {
                String end = requests.get(id) + "/" + tickets.get(id).appYn() + "/" + views.get(id);
                finals.merge(end, 1, Integer::sum);
                int cancel = cancels.get(id).status();
                int rejection = rejections.get(id).status();
                // The DELETE's answer decides: accepted -> the cancel won everywhere; refused -> the rejection had
                // reached regrequest-service first, so it was stored (PATCH 200) and stands everywhere.
                String expected = cancel == 200 ? "ReqCanceled/AppCanceled/ReqCanceled"
                        : cancel == 409 && rejection == 200 ? "Rejected/Rejected/Rejected" : "(no such outcome)";
                if (!end.equals(expected)) {
                    wrong.add("request " + id + ": DELETE " + cancel + ", PATCH Rejected " + rejection + ", ended " + end);
                }
            }
            // Tickets the fix is about: rejected first in approval-service, then cancelled by the ReqCanceled.
            java.util.Set<String> ourTickets = new java.util.HashSet<>();
            ids.forEach(id -> ourTickets.add(Long.toString(ticketOf.get(id))));
            Map<String, java.util.Set<String>> typesByTicket = new java.util.HashMap<>();
            topics.outboxEvents(APPROVE_TOPIC).stream().filter(r -> ourTickets.contains(r.key()))
                    .forEach(r -> typesByTicket.computeIfAbsent(r.key(), k -> new java.util.HashSet<>()).add(r.eventType()));
            long rejectedThenCancelled = typesByTicket.values().stream()
                    .filter(types -> types.contains("Rejected") && types.contains("AppCanceled")).count();
            print("reject-vs-cancel races: all three services agreed %d ms after the last answer (scenario %d ms in all); final states "
                            + "(request/ticket/view): %s; reviews rejected and then cancelled by the publisher's cancel %d; "
                            + "double effects %d; disagreeing with the DELETE's answer %d",
                    agreedMs, millisSince(scenario), finals, rejectedThenCancelled, figures.doubleEffects(), wrong.size());
            wrong.stream().limit(20).forEach(w -> print("  FAIL %s", w));
            assertThat(answers.keySet()).as("every PATCH and DELETE answered 200 or 409")
                    .allMatch(k -> k.matches("(PATCH Rejected|DELETE) (200|409( .*)?)"));
            assertThat(wrong).as("requests whose three states do not match the DELETE's answer").isEmpty();
            assertThat(finals.keySet()).as("one agreed state per request")
                    .isSubsetOf("ReqCanceled/AppCanceled/ReqCanceled", "Rejected/Rejected/Rejected");
            assertThat(finals.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(pairs);
        } finally {
            pool.shutdownNow();
        }
    }

    /** "200", or "409 concurrent-change" (a problem's type without its urn prefix). */
    private static String statusAndProblem(Answer a) {
        if (a.status() < 400) {
            return Integer.toString(a.status());
        }
        String type = a.json() == null ? "" : a.json().path("type").asText("");
        return a.status() + (type.isEmpty() ? "" : " " + type.replace("urn:bookmarket:problem:", ""));
    }

    /** Waits until every request's ticket is confirmed (its RegRequested applied): request id -> ticket id. */
    private static Map<Long, Long> awaitConfirmedTickets(java.util.Collection<Long> ids, Duration atMost) {
        Map<Long, Long> ticketOf = new ConcurrentHashMap<>();
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<Long, Databases.Ticket> tickets = db.ticketsByRequest();
            ids.forEach(id -> {
                Databases.Ticket t = tickets.get(id);
                if (t != null && t.confirmed()) {
                    ticketOf.put(id, t.id());
                }
            });
            return ticketOf.size() == ids.size();
        });
        return ticketOf;
    }
}
