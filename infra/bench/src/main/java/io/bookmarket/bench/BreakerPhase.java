package io.bookmarket.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.bookmarket.bench.Bench.progress;
import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;

/** The circuit breaker: approval-service hangs (SIGSTOP); how fast POSTs are refused, with and without the breaker. */
final class BreakerPhase {

    private static final int CONCURRENCY = 10;

    private final BenchOptions options;
    private final SystemUnderTest sut;

    BreakerPhase(BenchOptions options, SystemUnderTest sut) {
        this.options = options;
        this.sut = sut;
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("how", "approval-service stopped with SIGSTOP (connections accepted, no answers); " + CONCURRENCY
                + " workers POST back to back; every answer should be 503");
        // Shipped configuration: the first calls wait for the timeout, then the breaker opens. The measurement starts
        // after that and ends before the breaker's delay (10 s) lets a trial call through.
        Duration open = options.duration.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : options.duration;
        sut.tokens().validFor(options.breakerWarmup.plus(open), BenchTokens.PUBLISHER);
        sut.suspend(APPROVAL);
        LoadGenerator.Outcome withBreaker;
        try {
            withBreaker = LoadGenerator.closedLoop("breaker open", CONCURRENCY, options.breakerWarmup, open,
                    status -> status == 503, (worker, seq) -> sut.postRequest(seq).statusCode());
        } finally {
            sut.resumeStopped();
        }
        m.put("breakerOpen", withBreaker.json());
        progress("breaker open: rejected POSTs p50 %s ms, p99 %s ms, max %s ms, %.0f/s (statuses %s)",
                LoadGenerator.ms(withBreaker.corrected().getValueAtPercentile(50)),
                LoadGenerator.ms(withBreaker.corrected().getValueAtPercentile(99)),
                LoadGenerator.ms(withBreaker.corrected().getMaxValue()), withBreaker.throughput(), withBreaker.json().get("statuses"));

        // Without the breaker: it can only be configured away, with a failure threshold it never reaches.
        progress("restarting regrequest-service with APPROVAL_BREAKER_VOLUME=1000000 (breaker never opens)");
        sut.env(REGREQUEST, Map.of("APPROVAL_BREAKER_VOLUME", "1000000"));
        sut.restart(REGREQUEST);
        // Each call waits for the timeout (twice, with the retry): a longer window than the others to get samples.
        Duration hanging = options.duration.compareTo(options.hangingMin) < 0 ? options.hangingMin : options.duration;
        sut.tokens().validFor(hanging, BenchTokens.PUBLISHER);
        sut.suspend(APPROVAL);
        LoadGenerator.Outcome withoutBreaker;
        try {
            withoutBreaker = LoadGenerator.closedLoop("no breaker", CONCURRENCY, Duration.ZERO, hanging,
                    status -> status == 503, (worker, seq) -> sut.postRequest(seq).statusCode());
        } finally {
            sut.resumeStopped();
            // Only the next start sees it: regrequest-service keeps running without the breaker until restarted.
            sut.env(REGREQUEST, Map.of("APPROVAL_BREAKER_VOLUME", "8"));
        }
        m.put("noBreaker", withoutBreaker.json());
        m.put("noBreakerConfig", "APPROVAL_BREAKER_VOLUME=1000000; timeout 2 s, 1 retry after 200 ms (shipped)");
        progress("no breaker: rejected POSTs p50 %s ms, p99 %s ms, max %s ms, %.1f/s (statuses %s)",
                LoadGenerator.ms(withoutBreaker.corrected().getValueAtPercentile(50)),
                LoadGenerator.ms(withoutBreaker.corrected().getValueAtPercentile(99)),
                LoadGenerator.ms(withoutBreaker.corrected().getMaxValue()), withoutBreaker.throughput(),
                withoutBreaker.json().get("statuses"));
        return m;
    }
}
