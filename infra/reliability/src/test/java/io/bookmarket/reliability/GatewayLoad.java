package io.bookmarket.reliability;

import io.bookmarket.reliability.Http.Answer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.bookmarket.reliability.Tokens.PUBLISHER;
import static io.bookmarket.reliability.Tokens.PUBL_ID;
import static io.bookmarket.reliability.Tokens.REVIEWER;

/**
 * The original's clients going through the gateway, as its load tests do: publisher100 files a request and reads it
 * back, reads its page of publisher-view, and the reviewer looks the review up. Every call has exactly one right answer
 * (201 or 200), so anything else counts as a failure: what a redeploy or the crash of one replica costs the clients.
 */
final class GatewayLoad implements AutoCloseable {

    private final String gateway;
    private final Tokens tokens;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    /** Every request that got its 201: each must exist afterwards. */
    final Set<Long> accepted = ConcurrentHashMap.newKeySet();
    /** Failed calls by call and answer, e.g. "POST /regRequests 502". */
    final Map<String, AtomicLong> failures = new ConcurrentSkipListMap<>();

    GatewayLoad(String gateway, Tokens tokens, int clients) {
        this.gateway = gateway;
        this.tokens = tokens;
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().name("gateway-client-" + i).start(this::run));
        }
    }

    private void run() {
        while (running.get()) {
            String publisher = tokens.of(PUBLISHER);
            Answer filed = Http.postJson(gateway + "/regRequests", Map.of("bookId", 1 + ThreadLocalRandom.current().nextInt(1_000_000),
                    "bookNm", "through the gateway", "publId", PUBL_ID), publisher);
            if (!expect("POST /regRequests", filed, 201)) {
                continue;
            }
            long id = filed.id();
            accepted.add(id);
            expect("GET /regRequests/{id}", Http.get(gateway + "/regRequests/" + id, publisher), 200);
            expect("GET /publpages", Http.get(gateway + "/publpages?publId=" + PUBL_ID + "&size=5", publisher), 200);
            expect("GET /approves", Http.get(gateway + "/approves?reqReqId=" + id, tokens.of(REVIEWER)), 200);
        }
    }

    private boolean expect(String call, Answer answer, int status) {
        answered.incrementAndGet();
        if (answer.status() == status) {
            succeeded.incrementAndGet();
            return true;
        }
        String label = switch (answer.status()) {
            case Http.NO_ANSWER -> "no answer";
            case Http.REFUSED -> "refused";
            default -> Integer.toString(answer.status());
        };
        failures.computeIfAbsent(call + " " + label, k -> new AtomicLong()).incrementAndGet();
        return false;
    }

    /** Keeps the load on until at least {@code calls} answers arrived in all, or {@code atMost} passed. */
    void runUntil(long calls, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (answered.get() < calls && System.nanoTime() < deadline) {
            sleep(100);
        }
    }

    long answered() {
        return answered.get();
    }

    long failed() {
        return answered.get() - succeeded.get();
    }

    /** The share of calls answered as they should be (2xx), e.g. 0.9995. */
    double successShare() {
        long all = answered.get();
        return all == 0 ? 0 : (double) succeeded.get() / all;
    }

    String figures() {
        return String.format("%d calls, %d failed (%.3f %% answered 2xx)%s", answered(), failed(), 100 * successShare(),
                failures.isEmpty() ? "" : " " + failures);
    }

    @Override
    public void close() {
        running.set(false);
        Load.joinAll(threads);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
