package io.bookmarket.bench;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.launcher.SystemOptions;
import io.bookmarket.stack.PostgresServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.bookmarket.bench.Bench.progress;
import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;

/**
 * The system the phases measure: the {@link LocalSystem} started in a fresh data directory, the HTTP client the load
 * goes through, the CPU accounting, and what several phases do to it (file a request, wait for publisher-view to
 * catch up, suspend a service).
 */
final class SystemUnderTest implements AutoCloseable {

    static final List<String> SERVICES = List.of(APPROVAL, REGREQUEST, PUBLISHER_VIEW);

    private final BenchOptions options;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private SystemOptions systemOptions;
    private LocalSystem system;
    private CpuAccounting cpu;
    private BenchTokens tokens;
    private volatile Long stoppedPid;
    private final Set<Long> jfrPids = new HashSet<>();

    SystemUnderTest(BenchOptions options) {
        this.options = options;
    }

    /** Starts the whole system; returns how long it and its infrastructure took. */
    Map<String, Object> start() throws IOException {
        systemOptions = SystemOptions.isolated(options.repo, options.dataDir);
        for (String service : SERVICES) {
            // The production defaults (the local system traces everything, SQL statements included).
            systemOptions.env(service, Map.of("OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
                    "OTEL_TRACES_SAMPLER_ARG", options.traceSampling, "TRACE_SQL_STATEMENTS", "false"));
            systemOptions.env(service, options.serviceEnv);
        }
        progress("starting the whole system (PostgreSQL, MariaDB, Kafka, Kafka Connect + 2 connectors, Keycloak, trace backend, "
                + "3 services; traces sampled: %s) in %s", options.traceSampling, options.dataDir.toAbsolutePath());
        long begin = System.nanoTime();
        system = LocalSystem.start(systemOptions);
        tokens = new BenchTokens(() -> system.tokens());
        // Looked up on every snapshot: a restarted service has a new pid.
        cpu = new CpuAccounting(() -> {
            Map<String, Long> pids = new LinkedHashMap<>();
            for (String service : SERVICES) {
                pids.put(service, system.service(service).pid());
            }
            return pids;
        }, system.stack().postgres().port());
        long ms = Duration.ofNanos(System.nanoTime() - begin).toMillis();
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("wholeSystemMs", ms);
        start.put("traceSampling", options.traceSampling);
        start.put("serviceEnv", options.serviceEnv);
        Map<String, Object> infra = new LinkedHashMap<>();
        system.stack().startupTimes().forEach((k, v) -> infra.put(k, v.toMillis()));
        start.put("infrastructureMs", infra);
        progress("system up in %d ms", ms);
        return start;
    }

    /**
     * Profiling: each running service records JFR (execution samples, allocation, locks) into the logs folder, written
     * when it exits. Started with jcmd, not -XX:StartFlightRecording: that option adds jdk.jfr to the JVM's module
     * options, which no longer match the AOT cache's, so the JVM drops the cache and the profile shows a cold JIT.
     * Started before the JIT warm-up of the measured phases: once per process (a restarted service records anew).
     */
    private void startJfr() {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        for (String service : SERVICES) {
            if (!jfrPids.add(system.service(service).pid())) {
                continue;
            }
            Path file = options.dataDir.toAbsolutePath().resolve("logs/" + service + "-" + system.service(service).pid() + ".jfr");
            try {
                Process p = new ProcessBuilder(jcmd, Long.toString(system.service(service).pid()), "JFR.start", "name=bench",
                        "settings=profile", "dumponexit=true", "filename=" + file).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor() != 0) {
                    progress("could not start JFR in %s (jcmd exit %d)", service, p.exitValue());
                } else {
                    progress("JFR recording %s into %s", service, file);
                }
            } catch (IOException e) {
                progress("could not start JFR in %s: %s", service, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    LocalSystem system() {
        return system;
    }

    HttpClient http() {
        return http;
    }

    CpuAccounting cpu() {
        return cpu;
    }

    BenchTokens tokens() {
        return tokens;
    }

    /** Extra environment for a service's next start (e.g. the breaker configured away). */
    void env(String service, Map<String, String> env) {
        systemOptions.env(service, env);
    }

    void restart(String service) {
        system.stopService(service);
        system.startService(service);
        jitWarm = false;
    }

    /** CPU each component burns with no traffic, percent of one core; also the baseline for idle-excluded CPU. */
    /**
     * Idle CPU once it holds still: a service restarted a moment ago is still compiling and catching up, which is not
     * what it burns idle. Windows are measured until two in a row agree (within 1 % of a core, or a tenth), at most
     * {@value #IDLE_WINDOWS}; the last one counts, the earlier totals are kept beside it.
     */
    Map<String, Object> idleCpu() throws InterruptedException {
        List<Object> totals = new java.util.ArrayList<>();
        Map<String, Object> m;
        double previous = Double.NaN;
        while (true) {
            m = cpu.measureIdle(options.idleWindow);
            double total = ((Number) m.get("total")).doubleValue();
            totals.add(total);
            progress("idle CPU (%% of one core, %d s without traffic, window %d): %s", options.idleWindow.toSeconds(),
                    totals.size(), m);
            if (Math.abs(total - previous) <= Math.max(1.0, total / 10) || totals.size() == IDLE_WINDOWS) {
                break;
            }
            previous = total;
        }
        m.put("windowTotals", totals);
        return m;
    }

    static final int IDLE_WINDOWS = 6;

    Map<String, Object> rss() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String service : SERVICES) {
            m.put(service, Machine.rssMb(system.service(service).pid()));
        }
        return m;
    }

    /**
     * The bench's own request, filed by publisher100 with its token (the token's publId must be the body's, so every
     * POST is one publisher's; distinct books). Nothing locks per publisher on the write path.
     */
    HttpResponse<String> postRequest(long bookId) throws IOException, InterruptedException {
        return postRequest(BenchTokens.PUBLISHER, BenchTokens.PUBL_ID, bookId);
    }

    HttpResponse<String> postRequest(String publisher, long publId, long bookId) throws IOException, InterruptedException {
        String body = "{\"bookId\": " + bookId + ", \"bookNm\": \"bench book " + bookId + "\", \"publId\": " + publId + "}";
        return http.send(HttpRequest.newBuilder(URI.create(system.url(REGREQUEST) + "/regRequests"))
                .header("Content-Type", "application/json").header("Authorization", tokens.authorization(publisher))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private boolean jitWarm;
    /** The JIT has settled once every service's compiler threads use less than this share of one core. */
    private static final double SETTLED_JIT_PERCENT = 5;

    /**
     * Warms every service's JIT: POSTs at c=50 for at least {@code --jit-warmup} and then until every service's JIT
     * compiler threads use under 5 % of a core (they take 15-30 % of its CPU for about three minutes of load on two
     * cores), at most {@code --jit-warmup-max}; so the measured runs see compiled hot paths and no compiler competing
     * with them (a fresh service is several times slower for its first minute; the overload phase's fresh run
     * measures that on purpose). Once per bench run; a restart of the services (overload phase) makes it due again.
     */
    void warmJit() throws InterruptedException {
        if (options.jfr) {
            startJfr();
        }
        if (jitWarm) {
            return;
        }
        jitWarm = true;
        warmPath();
        long begin = System.nanoTime();
        Duration slice = Duration.ofSeconds(Math.min(15, Math.max(1, options.jitWarmup.toSeconds())));
        while (true) {
            tokens.validFor(slice, BenchTokens.PUBLISHER);
            Map<String, Double> jitBefore = cpu.mark().jitSeconds();
            long sliceBegin = System.nanoTime();
            LoadGenerator.Outcome warm = LoadGenerator.closedLoop("JIT warm-up", 50, Duration.ZERO, slice,
                    status -> status == 201, (worker, seq) -> postRequest(seq).statusCode());
            double sliceSeconds = (System.nanoTime() - sliceBegin) / 1e9;
            Map<String, Object> compilerPercent = new LinkedHashMap<>();
            double busiest = 0;
            for (Map.Entry<String, Double> e : cpu.mark().jitSeconds().entrySet()) {
                double percent = 100 * (e.getValue() - jitBefore.getOrDefault(e.getKey(), 0.0)) / sliceSeconds;
                busiest = Math.max(busiest, percent);
                compilerPercent.put(e.getKey(), LoadGenerator.round(percent));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);
            progress("JIT warm-up: POST c=50, %d s so far, %.0f req/s (statuses %s); JIT compiler threads, %% of one core: %s",
                    elapsed.toSeconds(), warm.throughput(), warm.json().get("statuses"), compilerPercent);
            if (elapsed.compareTo(options.jitWarmup) >= 0 && busiest < SETTLED_JIT_PERCENT) {
                return;
            }
            if (elapsed.compareTo(options.jitWarmupMax) >= 0) {
                if (busiest >= SETTLED_JIT_PERCENT) {
                    progress("JIT warm-up: compilers still busy after %d s (--jit-warmup-max); the runs' jit figures show it",
                            elapsed.toSeconds());
                }
                return;
            }
        }
    }

    /**
     * Warms the POST path (its own publishers): cold services can time out and open the breaker, which would then
     * reject the measured run. If that happens, waits for the breaker's delay (10 s shipped) and tries again.
     */
    void warmPath() throws InterruptedException {
        for (int attempt = 1; attempt <= 3; attempt++) {
            tokens.validFor(options.warmup, BenchTokens.PUBLISHER);
            LoadGenerator.Outcome warm = LoadGenerator.closedLoop("warm-up", 4, Duration.ZERO, options.warmup,
                    status -> status == 201, (worker, seq) -> postRequest(seq).statusCode());
            if (warm.failed() == 0) {
                return;
            }
            progress("warm-up POSTs answered %s; waiting 11 s for the breaker to close", warm.json().get("statuses"));
            Thread.sleep(11_000);
        }
    }

    /**
     * Waits until publisher-view has applied every stored request, so no backlog of a previous run competes for the
     * cores. Returns how long it waited, in ms.
     */
    long awaitViewCaughtUp(String before) throws Exception {
        PostgresServer postgres = system.stack().postgres();
        long begin = System.nanoTime();
        long deadline = begin + TimeUnit.SECONDS.toNanos(120);
        long requests = 0;
        long rows = 0;
        try (Connection regrequest = postgres.connect("regrequest"); Connection view = postgres.connect("publisherview")) {
            while (System.nanoTime() < deadline) {
                requests = count(regrequest, "SELECT count(*) FROM reg_request");
                rows = count(view, "SELECT count(*) FROM publpage");
                if (rows >= requests) {
                    break;
                }
                Thread.sleep(200);
            }
        }
        long waited = Duration.ofNanos(System.nanoTime() - begin).toMillis();
        progress("before %s: publisher-view holds %d of %d requests (waited %d ms)", before, rows, requests, waited);
        return waited;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** SIGSTOP: the process keeps its sockets (connections are accepted) but answers nothing. */
    void suspend(String service) throws Exception {
        long pid = system.service(service).pid();
        signal("STOP", pid);
        stoppedPid = pid;
    }

    /** A suspended service must not outlive an interrupted bench. */
    synchronized void resumeStopped() {
        Long pid = stoppedPid;
        if (pid != null) {
            try {
                signal("CONT", pid);
            } catch (Exception e) {
                System.err.println("Could not resume process " + pid + ": " + e);
            }
            stoppedPid = null;
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed with " + exit);
        }
    }

    /** Also run by a shutdown hook (Ctrl-C, SIGTERM): the databases are no child JVMs and would outlive the bench. */
    @Override
    public synchronized void close() {
        resumeStopped();
        if (system != null) {
            progress("stopping the system");
            system.close();
            system = null;
        }
    }
}
