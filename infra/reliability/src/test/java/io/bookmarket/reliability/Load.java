package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.reliability.Http.Answer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;

/**
 * Publishers and reviewers at work: publisher100 POSTs new requests and cancels them, the reviewer approves confirmed
 * tickets (never rejects: reject-vs-cancel has a race scenario of its own,
 * {@code RacesIT#rejectVersusCancelRacesEndInOneAgreedState}), each with its own token (renewed by {@link Tokens}). Records every answer; every 201 is remembered so that the checks can demand it
 * still exists afterwards.
 */
final class Load implements AutoCloseable {

    private final LocalSystem system;
    private final Tokens tokens;
    private final Set<Long> accepted;
    private final List<Long> mine = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    final Map<String, AtomicLong> answers = new ConcurrentSkipListMap<>();
    private final AtomicLong malformed503 = new AtomicLong();
    private final AtomicLong unavailableWhileDown = new AtomicLong();
    private volatile boolean componentDown;

    Load(LocalSystem system, Tokens tokens, Set<Long> accepted, int threads) {
        this.system = system;
        this.tokens = tokens;
        this.accepted = accepted;
        for (int i = 0; i < threads; i++) {
            Thread t = Thread.ofPlatform().name("load-" + i).start(this::run);
            this.threads.add(t);
        }
    }

    private void run() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
            think(random);
            double r = random.nextDouble();
            Long some = pick(random);
            String publisher;
            String reviewer;
            try {
                publisher = tokens.of(Tokens.PUBLISHER);
                reviewer = tokens.of(Tokens.REVIEWER);
            } catch (RuntimeException e) {
                // Keycloak is down and a token was due for renewal: a client without a token waits and tries again.
                answers.computeIfAbsent("no token", k -> new AtomicLong()).incrementAndGet();
                pause();
                continue;
            }
            if (r < 0.5 || some == null) {
                Answer a = Http.postJson(system.url(REGREQUEST) + "/regRequests",
                        Map.of("bookId", 1 + random.nextInt(1_000_000), "bookNm", "load book", "publId", Tokens.PUBL_ID), publisher);
                count("POST", a);
                if (a.status() == 201) {
                    long id = a.id();
                    accepted.add(id);
                    synchronized (mine) {
                        mine.add(id);
                    }
                }
            } else if (r < 0.8) {
                Answer tickets = Http.get(system.url(APPROVAL) + "/approves?reqReqId=" + some, reviewer);
                if (tickets.status() == 200 && tickets.json() != null && tickets.json().size() > 0
                        && "RegRequested".equals(tickets.json().get(0).path("appYn").asText())) {
                    long ticket = tickets.json().get(0).path("id").asLong();
                    count("PATCH", Http.patchJson(system.url(APPROVAL) + "/approves/" + ticket, Map.of("appYn", "Approved"), reviewer));
                }
            } else {
                count("DELETE", Http.delete(system.url(REGREQUEST) + "/regRequests/" + some, publisher));
            }
        }
    }

    private Long pick(ThreadLocalRandom random) {
        synchronized (mine) {
            return mine.isEmpty() ? null : mine.get(random.nextInt(mine.size()));
        }
    }

    private void count(String what, Answer a) {
        if (a.status() < 0 || a.status() >= 500) {
            pause(); // a component is down: publishers retry a little later rather than spin
        }
        if (a.status() == 503) {
            boolean retryAfter = a.headers().keySet().stream().anyMatch("Retry-After"::equalsIgnoreCase);
            if (!retryAfter || !a.contentType().startsWith("application/problem+json")) {
                malformed503.incrementAndGet();
            }
            if (componentDown) {
                unavailableWhileDown.incrementAndGet();
            }
        }
        String status = switch (a.status()) {
            case Http.NO_ANSWER -> "no answer";
            case Http.REFUSED -> "refused";
            default -> Integer.toString(a.status());
        };
        answers.computeIfAbsent(what + " " + status, k -> new AtomicLong()).incrementAndGet();
    }

    /** Between a component's kill and the end of its restart: 503s then are counted apart. */
    void componentDown(boolean down) {
        componentDown = down;
    }

    /** 503s answered while the killed component was down. */
    long unavailableWhileDown() {
        return unavailableWhileDown.get();
    }

    /** 503s without Retry-After or without problem JSON (the documented 503 has both). */
    long malformed503() {
        return malformed503.get();
    }

    /** Requests whose answer never came (reset or timeout; a refused connection is not one of them). */
    long noAnswer() {
        return answers.entrySet().stream().filter(e -> e.getKey().endsWith(" no answer")).mapToLong(e -> e.getValue().get()).sum();
    }

    /** Publishers and reviewers are people: a steady flow, not a flood that only measures the consumers' backlog. */
    private static void think(ThreadLocalRandom random) {
        try {
            Thread.sleep(20 + random.nextInt(40));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int acceptedHere() {
        synchronized (mine) {
            return mine.size();
        }
    }

    /** 401 and 403 answers: the load's tokens are valid (renewed in time, also across Keycloak's crash), so none is expected. */
    long identityRefusals() {
        return answers.entrySet().stream().filter(e -> e.getKey().endsWith(" 401") || e.getKey().endsWith(" 403"))
                .mapToLong(e -> e.getValue().get()).sum();
    }

    /** 5xx answers other than the documented 503 (an unexpected failure is a defect). */
    long unexpected5xx() {
        return answers.entrySet().stream().filter(e -> e.getKey().matches(".* 5\\d\\d") && !e.getKey().endsWith(" 503"))
                .mapToLong(e -> e.getValue().get()).sum();
    }

    @Override
    public void close() {
        running.set(false);
        joinAll(threads);
    }

    /** Waits for a load's clients to finish their current call (each at most a minute). */
    static void joinAll(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static Set<Long> newAcceptedSet() {
        return ConcurrentHashMap.newKeySet();
    }
}
