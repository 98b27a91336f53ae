package io.bookmarket.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.bookmarket.bench.Bench.progress;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;

/**
 * Closed-loop throughput and latency: POST /regRequests (publisher100), then GET /publpages?publId= (publisher200
 * reading its own rows), at each concurrency; every request with the caller's bearer token.
 */
final class ThroughputPhase {

    private final BenchOptions options;
    private final SystemUnderTest sut;

    ThroughputPhase(BenchOptions options, SystemUnderTest sut) {
        this.options = options;
        this.sut = sut;
    }

    List<Map<String, Object>> post() throws Exception {
        sut.warmJit();
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int concurrency : options.concurrency) {
            // The previous run (or the warm-up) leaves events for publisher-view to apply: let that backlog drain
            // first, so it does not compete with this run for the cores.
            long drainedMs = sut.awaitViewCaughtUp("POST c=" + concurrency);
            sut.tokens().validFor(options.warmup.plus(options.duration).plusSeconds(30), BenchTokens.PUBLISHER);
            AtomicReference<CpuAccounting.Mark> cpuFrom = new AtomicReference<>();
            LoadGenerator.Outcome outcome = LoadGenerator.closedLoop("POST /regRequests", concurrency, options.warmup,
                    options.duration, status -> status == 201,
                    (worker, seq) -> sut.postRequest(seq).statusCode(), () -> cpuFrom.set(sut.cpu().mark()));
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

    /**
     * publisher200 reads the first page of its own rows. Every POST run files as publisher100, so publisher200 gets a
     * fixed number of rows of its own first ({@code --get-rows}): the page and its count cost the same whatever the
     * POST runs filed.
     */
    List<Map<String, Object>> get() throws Exception {
        Map<String, Object> rows = readerRows();
        URI uri = URI.create(sut.system().url(PUBLISHER_VIEW) + "/publpages?publId=" + BenchTokens.READER_PUBL_ID);
        BenchTokens tokens = sut.tokens();
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int concurrency : options.concurrency) {
            tokens.validFor(options.warmup.plus(options.duration).plusSeconds(30), BenchTokens.READER);
            AtomicReference<CpuAccounting.Mark> cpuFrom = new AtomicReference<>();
            LoadGenerator.Outcome outcome = LoadGenerator.closedLoop("GET /publpages?publId=", concurrency, options.warmup,
                    options.duration, status -> status == 200, (worker, seq) -> sut.http().send(HttpRequest.newBuilder(uri)
                                    .header("Authorization", tokens.authorization(BenchTokens.READER)).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode(),
                    () -> cpuFrom.set(sut.cpu().mark()));
            Map<String, Object> json = outcome.json();
            json.putAll(rows);
            json.putAll(sut.cpu().perOperationFrom(cpuFrom.get(), outcome.requests()));
            runs.add(json);
            progress("GET c=%d: %.0f req/s, p50 %s ms, p99 %s ms, max %s ms (statuses %s)", concurrency, outcome.throughput(),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(50)),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(99)),
                    LoadGenerator.ms(outcome.corrected().getMaxValue()), outcome.json().get("statuses"));
        }
        return runs;
    }

    /** Files requests as publisher200 until it has {@code --get-rows} of them, then waits until the view has them all. */
    private Map<String, Object> readerRows() throws Exception {
        long have;
        try (Connection c = sut.system().stack().postgres().connect("regrequest"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM reg_request WHERE publ_id = " + BenchTokens.READER_PUBL_ID)) {
            rs.next();
            have = rs.getLong(1);
        }
        long missing = Math.max(0, options.getRows - have);
        long begin = System.nanoTime();
        sut.tokens().validFor(Duration.ofMinutes(2), BenchTokens.READER);
        if (missing > 0) {
            AtomicLong filed = new AtomicLong();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int w = 0; w < 10; w++) {
                    pool.submit(() -> {
                        for (long n; (n = filed.incrementAndGet()) <= missing; ) {
                            int status = sut.postRequest(BenchTokens.READER, BenchTokens.READER_PUBL_ID, n).statusCode();
                            if (status != 201) {
                                filed.decrementAndGet(); // refused (503 on a busy machine): try again
                                Thread.sleep(200);
                            }
                        }
                        return null;
                    });
                }
            }
        }
        sut.awaitViewCaughtUp("GET (" + BenchTokens.READER + "'s " + options.getRows + " rows)");
        progress("GET: %s has %d requests of its own (%d filed now in %d ms); it reads the first page of them",
                BenchTokens.READER, Math.max(have, options.getRows), missing, Duration.ofNanos(System.nanoTime() - begin).toMillis());
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("reader", BenchTokens.READER);
        m.put("readerRows", Math.max(have, options.getRows));
        return m;
    }
}
