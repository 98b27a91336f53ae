package io.bookmarket.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The benchmark: starts the whole local system as {@code infra/run.sh} does (fresh data directory, free ports,
 * replication slots dropped at the end), measures start-up, memory, POST/GET throughput and latency, event lag,
 * the breaker's fail-fast, the original's load test (overload) and the durable-commit ceilings of the PostgreSQL
 * and MariaDB servers, prints a table and writes JSON. A program that prints figures, never a test that asserts them.
 *
 * <p>This class runs the phases in order and collects their figures; each phase is a class of its own, the system
 * they share is {@link SystemUnderTest}.
 */
public final class Bench {

    private final BenchOptions options;

    Bench(BenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        Map<String, Object> results = new Bench(options).run();
        System.out.println();
        System.out.println(Report.table(results));
        System.out.println("JSON: " + options.out.toAbsolutePath());
    }

    /** Runs every selected phase; the results are also written to {@link BenchOptions#out}. */
    Map<String, Object> run() throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        results.put("startedAt", Instant.now().toString());
        results.put("machine", Machine.describe());
        setup.put("loadavgStart", Machine.loadavg());
        setup.put("warmupSeconds", options.warmup.toMillis() / 1000.0);
        setup.put("durationSeconds", options.duration.toMillis() / 1000.0);
        setup.put("concurrency", options.concurrency);
        setup.put("lagRatesPerSecond", options.lagRates);
        setup.put("startupRestarts", options.restarts);
        setup.put("overloadClients", options.overloadClients);
        setup.put("overloadDurationSeconds", options.overloadDuration.toMillis() / 1000.0);
        setup.put("note", "Load generator, PostgreSQL, MariaDB, Kafka, Kafka Connect, Keycloak and the three services share the same machine.");
        results.put("setup", setup);
        progress("machine: %s; loadavg %s", results.get("machine"), setup.get("loadavgStart"));
        SystemUnderTest sut = new SystemUnderTest(options);
        Runtime.getRuntime().addShutdownHook(new Thread(sut::close, "bench-stop"));
        try {
            results.put("systemStart", sut.start());
            results.put("aotTraining", new AotTrainingPhase(options, sut).run());
            if (options.runs("startup")) {
                results.put("startup", new StartupPhase(options, sut).run());
            }
            results.put("idleCpu", sut.idleCpu());
            if (options.runs("ceiling")) {
                results.put("commitCeiling", new CommitCeilingPhase(options, sut).run());
            }
            ThroughputPhase throughput = new ThroughputPhase(options, sut);
            if (options.runs("post")) {
                results.put("post", throughput.post());
                results.put("rssAfterPostMb", sut.rss());
            }
            if (options.runs("get") || options.runs("lag")) {
                sut.awaitViewCaughtUp(options.runs("get") ? "GET" : "event lag");
            }
            if (options.runs("get")) {
                results.put("get", throughput.get());
            }
            if (options.runs("lag")) {
                List<Map<String, Object>> lags = new ArrayList<>();
                for (double rate : options.lagRates) {
                    sut.awaitViewCaughtUp("event lag warm-up");
                    lags.add(new EventLagPhase(options, sut).run(rate, lags.size()));
                }
                results.put("eventLag", lags);
            }
            if (options.runs("breaker")) {
                results.put("breaker", new BreakerPhase(options, sut).run());
            }
            // Last: it restarts the services (and so also undoes the breaker phase's configuration).
            if (options.runs("overload")) {
                results.put("overload", new OverloadPhase(options, sut, bestThroughput(results.get("post"))).run());
            }
        } finally {
            if (sut.tokens() != null) {
                setup.put("tokens", sut.tokens().figures());
            }
            sut.close();
            setup.put("loadavgEnd", Machine.loadavg());
            results.put("finishedAt", Instant.now().toString());
            write(results);
        }
        return results;
    }

    /** The highest throughput over the POST runs, if they ran. */
    @SuppressWarnings("unchecked")
    private static OptionalDouble bestThroughput(Object postRuns) {
        return postRuns instanceof List<?> runs ? ((List<Map<String, Object>>) runs).stream()
                .mapToDouble(run -> ((Number) run.get("throughputPerSecond")).doubleValue()).max() : OptionalDouble.empty();
    }

    private void write(Map<String, Object> results) throws IOException {
        Files.createDirectories(options.out.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(options.out.toFile(), results);
    }

    static void progress(String format, Object... args) {
        System.out.println(DateTimeFormatter.ISO_LOCAL_TIME.format(OffsetDateTime.now(ZoneOffset.UTC).toLocalTime()
                .withNano(0)) + " bench: " + String.format(format, args));
    }
}
