package io.bookmarket.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.stack.PostgresServer;
import io.bookmarket.stack.QuarkusApp;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;

/**
 * The benchmark: starts the whole local system as {@code infra/run.sh} does (fresh data directory, free ports,
 * replication slots dropped at the end), measures start-up, memory, POST/GET throughput and latency, event lag,
 * the breaker's fail-fast and the durable-commit ceiling of the PostgreSQL server, prints a table and writes JSON.
 * A program that prints figures, never a test that asserts them.
 */
public final class Bench {

    private static final List<String> SERVICES = List.of(APPROVAL, REGREQUEST, PUBLISHER_VIEW);
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
    private static final Pattern QUARKUS_STARTED = Pattern.compile("started in ([0-9.]+)s");
    private static final long POST_PUBLISHERS = 2_000_000;
    private static final long LAG_PUBLISHERS = 3_000_000;
    private static final int LAG_PUBLISHER_COUNT = 10;

    private final Options options;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private LocalSystem.Options systemOptions;
    private LocalSystem system;
    private volatile Long stoppedPid;
    private CpuAccounting cpu;

    Bench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Map<String, Object> results = new Bench(options).run();
        System.out.println();
        System.out.println(Report.table(results));
        System.out.println("JSON: " + options.out.toAbsolutePath());
    }

    /** Runs every selected phase; the results are also written to {@link Options#out}. */
    Map<String, Object> run() throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        results.put("startedAt", Instant.now().toString());
        results.put("machine", Machine.describe());
        setup.put("loadavgStart", Machine.loadavg());
        setup.put("warmupSeconds", options.warmup.toMillis() / 1000.0);
        setup.put("durationSeconds", options.duration.toMillis() / 1000.0);
        setup.put("concurrency", options.concurrency);
        setup.put("lagRatePerSecond", options.lagRate);
        setup.put("startupRestarts", options.restarts);
        setup.put("note", "Load generator, PostgreSQL, Kafka, Kafka Connect and the three services share the same machine.");
        results.put("setup", setup);
        progress("machine: %s; loadavg %s", results.get("machine"), setup.get("loadavgStart"));
        Runtime.getRuntime().addShutdownHook(new Thread(this::resumeStopped));
        try {
            startSystem(results);
            if (options.runs("startup")) {
                results.put("startup", startup());
            }
            results.put("idleCpu", idleCpu());
            if (options.runs("ceiling")) {
                results.put("commitCeiling", commitCeiling());
            }
            if (options.runs("post")) {
                results.put("post", post());
                results.put("rssAfterPostMb", rss());
            }
            if (options.runs("get") || options.runs("lag")) {
                awaitViewCaughtUp();
            }
            if (options.runs("get")) {
                results.put("get", get());
            }
            if (options.runs("lag")) {
                awaitViewCaughtUp();
                results.put("eventLag", eventLag());
            }
            if (options.runs("breaker")) {
                results.put("breaker", breaker());
            }
        } finally {
            resumeStopped();
            if (system != null) {
                progress("stopping the system");
                system.close();
            }
            setup.put("loadavgEnd", Machine.loadavg());
            results.put("finishedAt", Instant.now().toString());
            write(results);
        }
        return results;
    }

    // ---- the system ----

    private void startSystem(Map<String, Object> results) throws IOException {
        systemOptions = LocalSystem.Options.isolated(options.repo, options.dataDir);
        if (options.jfr) {
            // Profiling: each service records JFR (execution samples, allocation, locks) into the logs folder.
            for (String service : SERVICES) {
                systemOptions.env(service, Map.of("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                        + options.dataDir.toAbsolutePath().resolve("logs/" + service + ".jfr")));
            }
        }
        progress("starting the whole system (PostgreSQL, Kafka, Kafka Connect + 2 connectors, 3 services) in %s",
                options.dataDir.toAbsolutePath());
        long begin = System.nanoTime();
        system = LocalSystem.start(systemOptions);
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
        Map<String, Object> infra = new LinkedHashMap<>();
        system.stack().startupTimes().forEach((k, v) -> infra.put(k, v.toMillis()));
        start.put("infrastructureMs", infra);
        results.put("systemStart", start);
        progress("system up in %d ms", ms);
    }

    // ---- 1. start-up and RSS ----

    private Map<String, Object> startup() throws Exception {
        Map<String, Object> all = new LinkedHashMap<>();
        for (String service : SERVICES) {
            Map<String, Object> m = new LinkedHashMap<>();
            QuarkusApp first = system.service(service);
            m.put("firstStartReadyMs", first.startupToReady().toMillis());
            m.put("firstStartRssMb", Machine.rssMb(first.pid()));
            List<Long> ready = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            List<Double> quarkus = new ArrayList<>();
            for (int i = 0; i < options.restarts; i++) {
                system.stopService(service);
                QuarkusApp app = system.startService(service);
                rss.add(Machine.rssMb(app.pid()));
                ready.add(app.startupToReady().toMillis());
                quarkusStartedIn(app.logFile()).ifPresent(quarkus::add);
            }
            m.put("packaging", system.service(service).packaging());
            m.put("restartsReadyMs", ready);
            m.put("restartsRssMb", rss);
            m.put("restartsQuarkusStartedInS", quarkus);
            if (!ready.isEmpty()) {
                m.put("jvmReadyMsMedian", median(ready.stream().map(Long::doubleValue).toList()));
                m.put("jvmRssMbMedian", median(rss));
            } else {
                m.put("jvmReadyMsMedian", (double) first.startupToReady().toMillis());
                m.put("jvmRssMbMedian", Machine.rssMb(first.pid()));
            }
            m.put("native", nativeStartup(service));
            progress("%s (%s): JVM ready in %s ms (median of %d restarts; first start %d ms), RSS %s MB; native: %s", service,
                    m.get("packaging"), m.get("jvmReadyMsMedian"), ready.size(), first.startupToReady().toMillis(), m.get("jvmRssMbMedian"),
                    m.get("native") instanceof String s ? s : "measured");
            all.put(service, m);
        }
        return all;
    }

    /** A native executable ({@code <svc>/target/*-runner}), when one was built, started like the JVM service. */
    private Object nativeStartup(String service) throws Exception {
        Path target = options.repo.resolve(service).resolve("target");
        Path runner;
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner") && Files.isExecutable(p)
                    && Files.isRegularFile(p)).findFirst().orElse(null);
        }
        if (runner == null) {
            return "not built here";
        }
        int port = URI.create(system.url(service)).getPort();
        system.stopService(service);
        Map<String, Object> m = new LinkedHashMap<>();
        Path log = options.dataDir.resolve("logs/" + service + "-native.log");
        ProcessBuilder builder = new ProcessBuilder(runner.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(system.environment(service));
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        long begin = System.nanoTime();
        Process process = builder.start();
        try {
            HttpRequest health = HttpRequest.newBuilder(URI.create(system.url(service) + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build();
            long deadline = begin + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        m.put("readyMs", round((System.nanoTime() - begin) / 1e6));
                        m.put("rssMb", Machine.rssMb(process.pid()));
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(5);
            }
            m.putIfAbsent("error", "not ready within 60 s (log " + log + ")");
            m.put("executable", runner.toString());
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            system.startService(service);
        }
        return m;
    }

    private Map<String, Object> rss() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String service : SERVICES) {
            m.put(service, Machine.rssMb(system.service(service).pid()));
        }
        return m;
    }

    /** CPU each component burns with no traffic (polling consumers, connectors, schedulers), percent of one core. */
    private Map<String, Object> idleCpu() throws InterruptedException {
        Duration window = options.idleWindow;
        Map<String, Double> before = cpu.snapshot();
        Thread.sleep(window.toMillis());
        Map<String, Double> after = cpu.snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        double total = 0;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            double percent = (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) * 100 / (window.toMillis() / 1000.0);
            total += percent;
            m.put(e.getKey(), LoadGenerator.round(percent));
        }
        m.put("total", LoadGenerator.round(total));
        progress("idle CPU (%% of one core, %d s without traffic): %s", window.toSeconds(), m);
        return m;
    }

    // ---- 6. the hardware ceiling: durable one-row commits through JDBC ----

    private Map<String, Object> commitCeiling() throws Exception {
        PostgresServer postgres = system.stack().postgres();
        postgres.createDatabase("bench");
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection c = postgres.connect("bench"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS commit_probe (id bigserial PRIMARY KEY, worker int NOT NULL, "
                    + "at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)");
            Map<String, String> settings = new LinkedHashMap<>();
            for (String setting : List.of("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "commit_delay",
                    "max_connections", "shared_buffers", "server_version")) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    settings.put(setting, rs.getString(1));
                }
            }
            m.put("serverSettings", settings);
        }
        m.put("what", "one-row INSERT per transaction (autocommit), one connection per worker, same PostgreSQL server as the services");
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int concurrency : options.concurrency) {
            List<Connection> connections = new ArrayList<>();
            List<PreparedStatement> inserts = new ArrayList<>();
            try {
                for (int i = 0; i < concurrency; i++) {
                    Connection c = postgres.connect("bench");
                    connections.add(c);
                    inserts.add(c.prepareStatement("INSERT INTO commit_probe (worker, note) VALUES (?, ?)"));
                }
                LoadGenerator.Outcome outcome = LoadGenerator.closedLoop("commit", concurrency, options.warmup, options.duration,
                        status -> status == 0, (worker, seq) -> {
                            PreparedStatement insert = inserts.get(worker);
                            insert.setInt(1, worker);
                            insert.setString(2, "probe " + seq);
                            return insert.executeUpdate() == 1 ? 0 : 1;
                        });
                runs.add(outcome.json());
                progress("commit ceiling c=%d: %.0f commits/s, p50 %s ms, p99 %s ms", concurrency, outcome.throughput(),
                        LoadGenerator.ms(outcome.corrected().getValueAtPercentile(50)),
                        LoadGenerator.ms(outcome.corrected().getValueAtPercentile(99)));
            } finally {
                for (Connection c : connections) {
                    c.close();
                }
            }
        }
        m.put("runs", runs);
        return m;
    }

    // ---- 2. POST /regRequests ----

    private List<Map<String, Object>> post() throws InterruptedException {
        warmPath(POST_PUBLISHERS + 500);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int concurrency : options.concurrency) {
            long publBase = POST_PUBLISHERS + concurrency * 1000L;
            Map<String, Double> cpuBefore = new LinkedHashMap<>();
            LoadGenerator.Outcome outcome = LoadGenerator.closedLoop("POST /regRequests", concurrency, options.warmup,
                    options.duration, status -> status == 201,
                    (worker, seq) -> postRequest(publBase + worker, seq).statusCode(), () -> cpuBefore.putAll(cpu.snapshot()));
            Map<String, Object> json = outcome.json();
            json.put("cpuMsPerOperation", CpuAccounting.perOperation(cpuBefore, cpu.snapshot(), outcome.tally().statuses.values()
                    .stream().mapToLong(java.util.concurrent.atomic.LongAdder::sum).sum()));
            runs.add(json);
            progress("POST c=%d: %.0f req/s, p50 %s ms, p90 %s ms, p99 %s ms, max %s ms (statuses %s)", concurrency,
                    outcome.throughput(), LoadGenerator.ms(outcome.corrected().getValueAtPercentile(50)),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(90)),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(99)),
                    LoadGenerator.ms(outcome.corrected().getMaxValue()), outcome.json().get("statuses"));
        }
        return runs;
    }

    private HttpResponse<String> postRequest(long publId, long bookId) throws IOException, InterruptedException {
        String body = "{\"bookId\": " + bookId + ", \"bookNm\": \"bench book " + bookId + "\", \"publId\": " + publId + "}";
        return http.send(HttpRequest.newBuilder(URI.create(system.url(REGREQUEST) + "/regRequests"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Warms the POST path (its own publishers): cold services can time out and open the breaker, which would then
     * reject the measured run. If that happens, waits for the breaker's delay (10 s shipped) and tries again.
     */
    private void warmPath(long publisherBase) throws InterruptedException {
        for (int attempt = 1; attempt <= 3; attempt++) {
            LoadGenerator.Outcome warm = LoadGenerator.closedLoop("warm-up", 4, Duration.ZERO, options.warmup,
                    status -> status == 201, (worker, seq) -> postRequest(publisherBase + worker, seq).statusCode());
            if (warm.failed() == 0) {
                return;
            }
            progress("warm-up POSTs answered %s; waiting 11 s for the breaker to close", warm.json().get("statuses"));
            Thread.sleep(11_000);
        }
    }

    /** Waits until publisher-view has applied every stored request, so no backlog of a previous run competes. */
    private void awaitViewCaughtUp() throws Exception {
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
        progress("publisher-view holds %d of %d requests (waited %d ms)", rows, requests,
                Duration.ofNanos(System.nanoTime() - begin).toMillis());
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---- 3. GET /publpages?publId= ----

    private List<Map<String, Object>> get() {
        // Publishers of the POST run at concurrency 10 (or the first one): they have rows in the view.
        int postConcurrency = options.concurrency.contains(10) ? 10 : options.concurrency.getFirst();
        long publBase = POST_PUBLISHERS + postConcurrency * 1000L;
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int concurrency : options.concurrency) {
            Map<String, Double> cpuBefore = new LinkedHashMap<>();
            LoadGenerator.Outcome outcome = LoadGenerator.closedLoop("GET /publpages?publId=", concurrency, options.warmup,
                    options.duration, status -> status == 200, (worker, seq) -> http.send(HttpRequest.newBuilder(
                                    URI.create(system.url(PUBLISHER_VIEW) + "/publpages?publId=" + (publBase + seq % postConcurrency)))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding()).statusCode(),
                    () -> cpuBefore.putAll(cpu.snapshot()));
            Map<String, Object> json = outcome.json();
            json.put("cpuMsPerOperation", CpuAccounting.perOperation(cpuBefore, cpu.snapshot(), outcome.ok() + outcome.failed()));
            runs.add(json);
            progress("GET c=%d: %.0f req/s, p50 %s ms, p99 %s ms, max %s ms (statuses %s)", concurrency, outcome.throughput(),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(50)),
                    LoadGenerator.ms(outcome.corrected().getValueAtPercentile(99)),
                    LoadGenerator.ms(outcome.corrected().getMaxValue()), outcome.json().get("statuses"));
        }
        return runs;
    }

    // ---- 4. event lag: commit -> publisher-view, under a steady POST load ----

    private Map<String, Object> eventLag() throws Exception {
        warmPath(LAG_PUBLISHERS + 100);
        awaitViewCaughtUp();
        Map<Long, Instant> answered = new ConcurrentHashMap<>();
        progress("event lag: POST at a steady %.0f req/s for %d s", options.lagRate, options.duration.toSeconds());
        LoadGenerator.Outcome load = LoadGenerator.fixedRate("POST /regRequests (steady)", options.lagRate, options.duration,
                status -> status == 201, (worker, seq) -> {
                    HttpResponse<String> response = postRequest(LAG_PUBLISHERS + seq % LAG_PUBLISHER_COUNT, seq + 1);
                    Instant at = Instant.now();
                    Matcher id = ID.matcher(response.body());
                    if (response.statusCode() == 201 && id.find()) {
                        answered.put(Long.parseLong(id.group(1)), at);
                    }
                    return response.statusCode();
                });
        // Read the view's own timestamps once everything arrived (the poll below only waits for completion; the lag
        // comes from the rows: updated_at is when publisher-view applied the event, last_event_at the event's
        // occurredAt, written by regrequest-service in the transaction that commits it; one clock, one machine).
        PostgresServer postgres = system.stack().postgres();
        String rows = "FROM publpage WHERE publ_id BETWEEN " + LAG_PUBLISHERS + " AND " + (LAG_PUBLISHERS + LAG_PUBLISHER_COUNT - 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long seen = 0;
        try (Connection c = postgres.connect("publisherview"); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) " + rows)) {
                    rs.next();
                    seen = rs.getLong(1);
                }
                if (seen >= answered.size()) {
                    break;
                }
                Thread.sleep(200);
            }
            Histogram occurredToView = new Histogram(LoadGenerator.MAX_MICROS, 3);
            Histogram answerToView = new Histogram(LoadGenerator.MAX_MICROS, 3);
            Histogram occurredToRelay = new Histogram(LoadGenerator.MAX_MICROS, 3);
            Histogram relayToView = new Histogram(LoadGenerator.MAX_MICROS, 3);
            Map<Long, Instant> relayed = relayTimes();
            try (ResultSet rs = s.executeQuery("SELECT req_id, last_event_at, updated_at " + rows)) {
                while (rs.next()) {
                    Instant occurred = rs.getObject(2, OffsetDateTime.class).toInstant();
                    Instant applied = rs.getObject(3, OffsetDateTime.class).toInstant();
                    occurredToView.recordValue(clamp(Duration.between(occurred, applied)));
                    Instant relay = relayed.get(rs.getLong(1));
                    if (relay != null) {
                        occurredToRelay.recordValue(clamp(Duration.between(occurred, relay)));
                        relayToView.recordValue(clamp(Duration.between(relay, applied)));
                    }
                    Instant answer = answered.get(rs.getLong(1));
                    if (answer != null) {
                        answerToView.recordValue(clamp(Duration.between(answer, applied)));
                    }
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("load", load.json());
            m.put("filed", answered.size());
            m.put("inView", seen);
            m.put("occurredToViewMs", LoadGenerator.percentiles(occurredToView));
            m.put("occurredToViewNote", "occurredAt (set in regrequest-service's storing transaction, just before its commit) "
                    + "-> updated_at of the publpage row (set by publisher-view in the applying transaction)");
            m.put("answerToViewMs", LoadGenerator.percentiles(answerToView));
            m.put("answerToViewNote", "201 received by the load generator (after regrequest-service's commit) -> updated_at of "
                    + "the publpage row; clamped at 0");
            m.put("occurredToRelayMs", LoadGenerator.percentiles(occurredToRelay));
            m.put("relayToViewMs", LoadGenerator.percentiles(relayToView));
            m.put("relayNote", "relay = the Kafka record's timestamp, which the outbox EventRouter sets to the Debezium "
                    + "event's ts_ms (when the connector processed the change; millisecond precision)");
            m.put("publisherViewLagTimer", lagTimer());
            progress("event lag: occurredAt -> relayed p50 %s ms, p99 %s ms; relayed -> view p50 %s ms, p99 %s ms",
                    LoadGenerator.ms(occurredToRelay.getValueAtPercentile(50)), LoadGenerator.ms(occurredToRelay.getValueAtPercentile(99)),
                    LoadGenerator.ms(relayToView.getValueAtPercentile(50)), LoadGenerator.ms(relayToView.getValueAtPercentile(99)));
            progress("event lag over %d events (%.0f req/s steady): occurredAt -> view p50 %s ms, p99 %s ms, max %s ms; "
                            + "201 -> view p50 %s ms, p99 %s ms", occurredToView.getTotalCount(), options.lagRate,
                    LoadGenerator.ms(occurredToView.getValueAtPercentile(50)), LoadGenerator.ms(occurredToView.getValueAtPercentile(99)),
                    LoadGenerator.ms(occurredToView.getMaxValue()), LoadGenerator.ms(answerToView.getValueAtPercentile(50)),
                    LoadGenerator.ms(answerToView.getValueAtPercentile(99)));
            return m;
        }
    }

    /** When Debezium relayed each RegRequest event (record timestamp), by request id (the record key). */
    private Map<Long, Instant> relayTimes() {
        Map<Long, Instant> times = new java.util.HashMap<>();
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", system.stack().kafka().bootstrapServers());
        props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        props.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(props)) {
            var partitions = consumer.partitionsFor("outbox.event.RegRequest").stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && record.key().matches("\\d+")) {
                        times.put(Long.parseLong(record.key()), Instant.ofEpochMilli(record.timestamp()));
                    }
                }
            }
        } catch (RuntimeException e) {
            progress("could not read the relay times: %s", e);
        }
        return times;
    }

    /** publisher-view's own lag timer (occurredAt -> after its commit), as it exports it (whole run, all events). */
    private Map<String, String> lagTimer() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(system.url(PUBLISHER_VIEW) + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            metrics.lines().filter(l -> l.startsWith("publpage_event_lag_seconds") && l.contains("RegRequested"))
                    .forEach(l -> {
                        int space = l.lastIndexOf(' ');
                        m.put(l.substring(0, space), l.substring(space + 1));
                    });
        } catch (IOException | InterruptedException e) {
            m.put("error", e.toString());
        }
        return m;
    }

    private static long clamp(Duration d) {
        return Math.min(LoadGenerator.MAX_MICROS, Math.max(0, d.toNanos() / 1000));
    }

    // ---- 5. the circuit breaker: approval-service hangs (SIGSTOP) ----

    private Map<String, Object> breaker() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        int concurrency = 10;
        long publId = POST_PUBLISHERS + 999_000;
        m.put("how", "approval-service stopped with SIGSTOP (connections accepted, no answers); " + concurrency
                + " workers POST back to back; every answer should be 503");
        // Shipped configuration: the first calls wait for the timeout, then the breaker opens. The measurement starts
        // after that and ends before the breaker's delay (10 s) lets a trial call through.
        Duration open = options.duration.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : options.duration;
        suspend(APPROVAL);
        LoadGenerator.Outcome withBreaker;
        try {
            withBreaker = LoadGenerator.closedLoop("breaker open", concurrency, options.breakerWarmup, open,
                    status -> status == 503, (worker, seq) -> postRequest(publId, seq).statusCode());
        } finally {
            resumeStopped();
        }
        m.put("breakerOpen", withBreaker.json());
        progress("breaker open: rejected POSTs p50 %s ms, p99 %s ms, max %s ms, %.0f/s (statuses %s)",
                LoadGenerator.ms(withBreaker.corrected().getValueAtPercentile(50)),
                LoadGenerator.ms(withBreaker.corrected().getValueAtPercentile(99)),
                LoadGenerator.ms(withBreaker.corrected().getMaxValue()), withBreaker.throughput(), withBreaker.json().get("statuses"));

        // Without the breaker: it can only be configured away, with a failure threshold it never reaches.
        progress("restarting regrequest-service with APPROVAL_BREAKER_VOLUME=1000000 (breaker never opens)");
        systemOptions.env(REGREQUEST, Map.of("APPROVAL_BREAKER_VOLUME", "1000000"));
        system.stopService(REGREQUEST);
        system.startService(REGREQUEST);
        // Each call waits for the timeout (twice, with the retry): a longer window than the others to get samples.
        Duration hanging = options.duration.compareTo(options.hangingMin) < 0 ? options.hangingMin : options.duration;
        suspend(APPROVAL);
        LoadGenerator.Outcome withoutBreaker;
        try {
            withoutBreaker = LoadGenerator.closedLoop("no breaker", concurrency, Duration.ZERO, hanging,
                    status -> status == 503, (worker, seq) -> postRequest(publId + 1, seq).statusCode());
        } finally {
            resumeStopped();
            systemOptions.env(REGREQUEST, Map.of("APPROVAL_BREAKER_VOLUME", "8"));
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

    private void suspend(String service) throws Exception {
        long pid = system.service(service).pid();
        signal("STOP", pid);
        stoppedPid = pid;
    }

    private synchronized void resumeStopped() {
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

    // ---- helpers ----

    private void write(Map<String, Object> results) throws IOException {
        Files.createDirectories(options.out.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(options.out.toFile(), results);
    }

    private static java.util.Optional<Double> quarkusStartedIn(Path log) throws IOException {
        Double last = null;
        for (String line : Files.readAllLines(log)) {
            Matcher m = QUARKUS_STARTED.matcher(line);
            if (m.find()) {
                last = Double.parseDouble(m.group(1));
            }
        }
        return java.util.Optional.ofNullable(last);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : round((sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static void progress(String format, Object... args) {
        System.out.println(DateTimeFormatter.ISO_LOCAL_TIME.format(OffsetDateTime.now(ZoneOffset.UTC).toLocalTime()
                .withNano(0)) + " bench: " + String.format(format, args));
    }

    /** Command-line options: {@code --quick --warmup=5s --duration=15s --concurrency=1,10,50,100 ...}. */
    static final class Options {
        Path repo = Path.of(System.getProperty("bookmarket.repo", "."));
        Path dataDir;
        Path out;
        Duration warmup = Duration.ofSeconds(5);
        Duration duration = Duration.ofSeconds(15);
        List<Integer> concurrency = List.of(1, 10, 50, 100);
        double lagRate = 50;
        int restarts = 3;
        Duration breakerWarmup = Duration.ofSeconds(4);
        Duration hangingMin = Duration.ofSeconds(10);
        List<String> only = List.of();
        boolean jfr;
        Duration idleWindow = Duration.ofSeconds(10);

        static Options parse(String... args) {
            Options o = new Options();
            for (String arg : args) {
                String[] kv = arg.split("=", 2);
                String value = kv.length > 1 ? kv[1] : "";
                switch (kv[0]) {
                    case "--quick" -> {
                        o.warmup = Duration.ofSeconds(1);
                        o.duration = Duration.ofSeconds(3);
                        o.concurrency = List.of(1, 10);
                        o.lagRate = 20;
                        o.restarts = 0;
                        o.breakerWarmup = Duration.ofSeconds(3);
                        o.hangingMin = Duration.ofSeconds(1);
                        o.idleWindow = Duration.ofSeconds(2);
                    }
                    case "--warmup" -> o.warmup = duration(value);
                    case "--duration" -> o.duration = duration(value);
                    case "--concurrency" -> o.concurrency = Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
                    case "--lag-rate" -> o.lagRate = Double.parseDouble(value);
                    case "--restarts" -> o.restarts = Integer.parseInt(value);
                    case "--breaker-warmup" -> o.breakerWarmup = duration(value);
                    case "--hanging-min" -> o.hangingMin = duration(value);
                    case "--jfr" -> o.jfr = true;
                    case "--only" -> o.only = List.of(value.split(","));
                    case "--repo" -> o.repo = Path.of(value);
                    case "--data" -> o.dataDir = Path.of(value);
                    case "--out" -> o.out = Path.of(value);
                    case "--help", "-h" -> {
                        System.out.println("""
                                Options: --quick (1 s warm-up, 3 s runs, concurrency 1,10, no restarts, short breaker runs)
                                         --warmup=5s --duration=15s --concurrency=1,10,50,100 --lag-rate=50 --restarts=3
                                         --breaker-warmup=4s (until the breaker is open) --hanging-min=10s (run without breaker)
                                         --only=startup,ceiling,post,get,lag,breaker --out=<json> --data=<dir>
                                         --jfr (services record JFR into <data>/logs/<service>.jfr)""");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("Unknown option " + arg + " (try --help)");
                }
            }
            if (o.dataDir == null) {
                o.dataDir = o.repo.resolve("infra/bench/target/bench-system");
            }
            if (o.out == null) {
                o.out = o.repo.resolve("infra/bench/target/bench/results.json");
            }
            return o;
        }

        boolean runs(String phase) {
            return only.isEmpty() || only.contains(phase);
        }

        private static Duration duration(String value) {
            return value.endsWith("ms") ? Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)))
                    : Duration.ofMillis(Math.round(Double.parseDouble(value.replaceAll("s$", "")) * 1000));
        }
    }
}
