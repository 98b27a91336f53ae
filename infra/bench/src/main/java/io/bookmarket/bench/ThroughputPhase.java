package io.bookmarket.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.bookmarket.bench.Bench.progress;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;

/** Closed-loop throughput and latency: POST /regRequests, then GET /publpages?publId=, at each concurrency. */
final class ThroughputPhase {

    /** The POST runs' publishers: run at concurrency c uses POST_PUBLISHERS + c * 1000 + worker. */
    static final long POST_PUBLISHERS = 2_000_000;

    private final BenchOptions options;
    private final SystemUnderTest sut;

    ThroughputPhase(BenchOptions options, SystemUnderTest sut) {
        this.options = options;
        this.sut = sut;
    }

    List<Map<String, Object>> post() throws Exception {
        sut.warmJit(POST_PUBLISHERS + 500);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int concurrency : options.concurrency) {
            // The previous run (or the warm-up) leaves events for publisher-view to apply: let that backlog drain
            // first, so it does not compete with this run for the cores.
            long drainedMs = sut.awaitViewCaughtUp("POST c=" + concurrency);
            long publBase = POST_PUBLISHERS + concurrency * 1000L;
            AtomicReference<CpuAccounting.Mark> cpuFrom = new AtomicReference<>();
            LoadGenerator.Outcome outcome = LoadGenerator.closedLoop("POST /regRequests", concurrency, options.warmup,
                    options.duration, status -> status == 201,
                    (worker, seq) -> sut.postRequest(publBase + worker, seq).statusCode(), () -> cpuFrom.set(sut.cpu().mark()));
            Map<String, Object> json = outcome.json();
            json.putAll(sut.cpu().perOperationFrom(cpuFrom.get(), outcome.requests()));
            json.put("drainedBeforeMs", drainedMs);
            // The consumers' share of a POST may be done after the run (a backlog): counted until it is applied, so a
            // run that leaves work behind does not look cheaper than one that keeps up.
            long appliedMs = sut.awaitViewCaughtUp("after POST c=" + concurrency);
            json.put("cpuMsPerOperationUntilApplied", sut.cpu().perOperationIdleExcluded(cpuFrom.get(), sut.cpu().mark(),
                    outcome.requests()));
            json.put("appliedAfterRunMs", appliedMs);
            runs.add(json);
            progress("POST c=%d: %.0f req/s, p50 %s ms, p90 %s ms, p99 %s ms, max %s ms (statuses %s)", concurrency,
                    outcome.throughput(), LoadGenerator.ms(outcome.corrected().getValueAtPercentile(50)),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(90)),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(99)),
                    LoadGenerator.ms(outcome.corrected().getMaxValue()), outcome.json().get("statuses"));
        }
        return runs;
    }

    List<Map<String, Object>> get() {
        // Publishers of the POST run at concurrency 10 (or the first one): they have rows in the view.
        int postConcurrency = options.concurrency.contains(10) ? 10 : options.concurrency.getFirst();
        long publBase = POST_PUBLISHERS + postConcurrency * 1000L;
        String url = sut.system().url(PUBLISHER_VIEW) + "/publpages?publId=";
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int concurrency : options.concurrency) {
            AtomicReference<CpuAccounting.Mark> cpuFrom = new AtomicReference<>();
            LoadGenerator.Outcome outcome = LoadGenerator.closedLoop("GET /publpages?publId=", concurrency, options.warmup,
                    options.duration, status -> status == 200, (worker, seq) -> sut.http().send(HttpRequest.newBuilder(
                                    URI.create(url + (publBase + seq % postConcurrency))).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode(),
                    () -> cpuFrom.set(sut.cpu().mark()));
            Map<String, Object> json = outcome.json();
            json.putAll(sut.cpu().perOperationFrom(cpuFrom.get(), outcome.requests()));
            runs.add(json);
            progress("GET c=%d: %.0f req/s, p50 %s ms, p99 %s ms, max %s ms (statuses %s)", concurrency, outcome.throughput(),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(50)),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(99)),
                    LoadGenerator.ms(outcome.corrected().getMaxValue()), outcome.json().get("statuses"));
        }
        return runs;
    }
}
