package io.bookmarket.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.LongAdder;

import static io.bookmarket.bench.Bench.progress;

/**
 * The original system's load test: N clients with no think time POST one fixed body to {@code /regrequests}. Run
 * twice: fresh (the three services just restarted, no warm-up: the first minute after a deploy) and warm.
 */
final class OverloadPhase {

    /**
     * The original's load-test body, as it sent it (numbers as strings, a regYn the service ignores), but with
     * publisher100's publId: the publId must be the token's (the original's was "11").
     */
    static final String BODY = "{\"bookId\": \"10\", \"bookNm\": \"mybooks\", \"regYn\": \"Y\", \"publId\": \"100\"}";
    static final String PATH = "/regrequests";
    /** Long enough that a request queued in an overloaded service is answered late, not counted as failed. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final BenchOptions options;
    private final SystemUnderTest sut;
    private final OptionalDouble bestPost;

    /** {@code bestPost}: the highest closed-loop POST throughput of this bench run, if the POST phase ran. */
    OverloadPhase(BenchOptions options, SystemUnderTest sut, OptionalDouble bestPost) {
        this.options = options;
        this.sut = sut;
        this.bestPost = bestPost;
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("how", options.overloadClients + " closed-loop clients, no think time, POST " + PATH + " with the original's "
                + "load-test body through the gateway for " + options.overloadDuration.toMillis() / 1000.0 + " s; fresh: right after restarting the "
                + "three services, no warm-up; warm: after the other POST phases, the backlog drained");
        m.put("body", BODY);
        m.put("caller", BenchTokens.PUBLISHER + " (bearer token)");
        m.put("path", PATH);
        m.put("clients", options.overloadClients);
        m.put("requestTimeoutSeconds", REQUEST_TIMEOUT.toSeconds());

        sut.awaitViewCaughtUp("overload (fresh)");
        long begin = System.nanoTime();
        for (String service : SystemUnderTest.SERVICES) {
            sut.restart(service);
        }
        long restartMs = Duration.ofNanos(System.nanoTime() - begin).toMillis();
        progress("restarted the three services in %d ms; overload right away, no warm-up", restartMs);
        Map<String, Object> fresh = measure("fresh");
        fresh.put("restartMs", restartMs);
        m.put("fresh", fresh);

        sut.warmJit();
        long drainedMs = sut.awaitViewCaughtUp("overload (warm)");
        Map<String, Object> warm = measure("warm");
        warm.put("drainedBeforeMs", drainedMs);
        m.put("warm", warm);
        return m;
    }

    private Map<String, Object> measure(String label) throws Exception {
        // Through the gateway, as the original's load test goes through its gateway on 8080.
        URI uri = URI.create(sut.system().gatewayUrl() + PATH);
        BenchTokens tokens = sut.tokens();
        tokens.validFor(options.overloadDuration.plus(REQUEST_TIMEOUT), BenchTokens.PUBLISHER);
        LongAdder withRetryAfter = new LongAdder();
        LongAdder withoutRetryAfter = new LongAdder();
        LoadGenerator.Outcome outcome;
        CpuAccounting.Mark cpuFrom;
        // Its own client: connections opened fresh, as after a deploy, and the same 30 s for connecting.
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(REQUEST_TIMEOUT).build()) {
            // No warm-up, so every request is recorded: the Retry-After counts below match the 503s of the tally.
            cpuFrom = sut.cpu().mark();
            outcome = LoadGenerator.closedLoop("overload " + label, options.overloadClients, Duration.ZERO,
                    options.overloadDuration, status -> status == 201, (worker, seq) -> {
                        HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                                .header("Authorization", tokens.authorization(BenchTokens.PUBLISHER)).timeout(REQUEST_TIMEOUT)
                                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
                        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                        if (response.statusCode() == 503) {
                            (response.headers().firstValue("Retry-After").isPresent() ? withRetryAfter : withoutRetryAfter).increment();
                        }
                        return response.statusCode();
                    });
        }
        long requests = outcome.requests();
        long success = 0;
        long other5xx = 0;
        for (var e : outcome.tally().statuses.entrySet()) {
            int status = e.getKey();
            if (status >= 200 && status < 300) {
                success += e.getValue().sum();
            } else if (status >= 500 && status != 503) {
                other5xx += e.getValue().sum();
            }
        }
        Map<String, Object> json = outcome.json();
        json.put("goodputPerSecond", LoadGenerator.round(outcome.throughput()));
        json.put("share2xxPercent", requests == 0 ? 0 : LoadGenerator.round(success * 100.0 / requests));
        json.put("status503WithRetryAfter", withRetryAfter.sum());
        json.put("status503WithoutRetryAfter", withoutRetryAfter.sum());
        json.put("other5xx", other5xx);
        json.put("noAnswer", outcome.count(-1)); // LoadGenerator: an exception (timeout, refused, reset) is status -1
        json.putAll(sut.cpu().perOperationFrom(cpuFrom, requests));
        if (bestPost.isPresent()) {
            json.put("bestPostThroughputPerSecond", bestPost.getAsDouble());
            json.put("goodputToBestPost", LoadGenerator.round(outcome.throughput() / bestPost.getAsDouble()));
        }
        progress("overload %s (%d clients, %s s): goodput %.0f/s%s, 2xx %s%%, p50 %s, p90 %s, p99 %s, p99.9 %s, max %s ms "
                        + "(raw p99 %s); 503 with Retry-After %d, without %d; other 5xx %d; no answer %d; CPU ms/req %s "
                        + "(idle excluded %s); statuses %s", label, options.overloadClients, outcome.json().get("seconds"),
                outcome.throughput(), bestPost.isPresent() ? String.format(" (%s x best POST %.0f/s)", json.get("goodputToBestPost"),
                        bestPost.getAsDouble()) : "", json.get("share2xxPercent"),
                LoadGenerator.ms(outcome.corrected().getValueAtPercentile(50)),
                LoadGenerator.ms(outcome.corrected().getValueAtPercentile(90)),
                LoadGenerator.ms(outcome.corrected().getValueAtPercentile(99)),
                LoadGenerator.ms(outcome.corrected().getValueAtPercentile(99.9)),
                LoadGenerator.ms(outcome.corrected().getMaxValue()), LoadGenerator.ms(outcome.raw().getValueAtPercentile(99)),
                withRetryAfter.sum(), withoutRetryAfter.sum(), other5xx, outcome.count(-1),
                total(json.get("cpuMsPerOperation")), total(json.get("cpuMsPerOperationIdleExcluded")), json.get("statuses"));
        return json;
    }

    private static Object total(Object cpu) {
        return cpu instanceof Map<?, ?> m ? m.get("total") : "-";
    }
}
