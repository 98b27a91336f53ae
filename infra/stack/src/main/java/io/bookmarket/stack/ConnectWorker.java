package io.bookmarket.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Kafka Connect 4.3.1 worker in distributed mode with the Debezium Postgres and MariaDB connectors in its plugin path,
 * as a separate JVM. Connectors are registered from the same JSON files a production Connect cluster uses.
 */
public final class ConnectWorker implements Engine {

    public static final String COMPONENT = "Kafka Connect worker";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChildJvm jvm;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ConnectWorker(ChildJvm jvm, int port) {
        this.jvm = jvm;
        this.port = port;
    }

    /**
     * @param otlpEndpoint where the worker's spans go (Debezium's relay spans), or null: none are sent, but the
     *                     EventRouter still carries each outbox row's trace on to Kafka ({@code traceparent} header)
     */
    static ConnectWorker start(Path workDir, int wantedPort, String bootstrapServers, String otlpEndpoint, Duration timeout) {
        Path logFile = workDir.resolve("logs/kafka-connect.log");
        int port = Ports.claim(wantedPort, COMPONENT, logFile);
        Path config = workDir.resolve("connect/worker.properties");
        Path log4j = workDir.resolve("connect/log4j2.properties");
        Path pluginDir = workDir.resolve("connect/plugins");
        try {
            // One directory per connector: Connect isolates plugins, so each keeps its own Debezium core.
            linkPlugin(pluginDir.resolve("debezium-connector-postgres"), "debezium-plugin.classpath");
            linkPlugin(pluginDir.resolve("debezium-connector-mariadb"), "debezium-plugin-mariadb.classpath");
            Files.writeString(config, String.join("\n",
                    "bootstrap.servers=" + bootstrapServers,
                    "group.id=bookmarket-connect",
                    "config.storage.topic=bookmarket-connect-configs",
                    "offset.storage.topic=bookmarket-connect-offsets",
                    "status.storage.topic=bookmarket-connect-status",
                    "config.storage.replication.factor=1",
                    "offset.storage.replication.factor=1",
                    "status.storage.replication.factor=1",
                    // Source offsets are flushed every second: fewer re-deliveries after a crash.
                    "offset.flush.interval.ms=1000",
                    // Its own consumers (configs, offsets, status topics) ask an idle broker every 5 s instead of 0.5 s;
                    // the broker answers at once when a record arrives.
                    "fetch.max.wait.ms=5000",
                    "key.converter=org.apache.kafka.connect.storage.StringConverter",
                    "value.converter=org.apache.kafka.connect.storage.StringConverter",
                    "listeners=http://" + Ports.HOST + ":" + port,
                    "rest.advertised.host.name=" + Ports.HOST,
                    "rest.advertised.port=" + port,
                    "plugin.path=" + pluginDir.toAbsolutePath(),
                    // Service-loader discovery: REST API up in seconds instead of a 30 s classpath scan.
                    "plugin.discovery=service_load",
                    // Lets a connector set producer.override.linger.ms=0 for low latency.
                    "connector.client.config.override.policy=All",
                    ""));
            Files.writeString(log4j, KafkaBroker.log4jConfig());
        } catch (IOException e) {
            throw new StackStartException(COMPONENT, "could not write its configuration: " + e.getMessage(), logFile, e);
        }
        List<String> jvmOptions = new java.util.ArrayList<>(List.of("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath()));
        jvmOptions.addAll(tracing(otlpEndpoint));
        ChildJvm jvm = ChildJvm.start(COMPONENT, "kafka-runtime.classpath", jvmOptions,
                "org.apache.kafka.connect.cli.ConnectDistributed", List.of(config.toString()), logFile);
        ConnectWorker worker = new ConnectWorker(jvm, port);
        try {
            Readiness.await(jvm, timeout, () -> worker.get("/connectors").statusCode() == 200);
        } catch (RuntimeException e) {
            jvm.close();
            throw e;
        }
        return worker;
    }

    /**
     * The OpenTelemetry SDK on the worker's classpath is configured from these properties the first time Debezium asks
     * for the global OpenTelemetry: its EventRouter then continues each outbox row's trace (spans db-log-write and
     * debezium-read) and writes it as the record's {@code traceparent} header. The same properties (as OTEL_*
     * variables) configure a production Connect cluster.
     */
    private static List<String> tracing(String otlpEndpoint) {
        List<String> options = new java.util.ArrayList<>(List.of(
                "-Dotel.java.global-autoconfigure.enabled=true",
                "-Dotel.service.name=kafka-connect",
                "-Dotel.propagators=tracecontext",
                "-Dotel.metrics.exporter=none",
                "-Dotel.logs.exporter=none"));
        if (otlpEndpoint == null) {
            options.add("-Dotel.traces.exporter=none");
        } else {
            options.addAll(List.of("-Dotel.traces.exporter=otlp", "-Dotel.exporter.otlp.protocol=http/protobuf",
                    "-Dotel.exporter.otlp.endpoint=" + otlpEndpoint, "-Dotel.bsp.schedule.delay=1000"));
        }
        return options;
    }

    /** The plugin directory holds links to the connector's jars as resolved by Maven at build time. */
    private static void linkPlugin(Path dir, String classpathResource) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        for (Path jar : ChildJvm.classpathEntries(classpathResource)) {
            Files.createSymbolicLink(dir.resolve(jar.getFileName()), jar.toAbsolutePath());
        }
    }

    public String url() {
        return "http://" + Ports.HOST + ":" + port;
    }

    public Path logFile() {
        return jvm.logFile;
    }

    public int port() {
        return port;
    }

    /**
     * Registers (or updates) a connector from its JSON file ({"name": ..., "config": {...}}), with
     * environment-specific values such as database host and port replaced, and waits until its task is RUNNING.
     *
     * @return the connector's configuration as sent
     */
    public Map<String, String> registerConnector(String connectorJson, Map<String, String> overrides, Duration timeout) {
        try {
            JsonNode definition = JSON.readTree(connectorJson);
            String name = definition.path("name").asText();
            ObjectNode config = (ObjectNode) definition.path("config");
            overrides.forEach(config::put);
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(url() + "/connectors/" + name + "/config"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() >= 300) {
                throw new StackStartException("Connector " + name, "was refused by " + COMPONENT + ": HTTP "
                        + put.statusCode() + " " + put.body(), jvm.logFile);
            }
            awaitRunningOrFail(name, timeout);
            return JSON.convertValue(config, JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
        } catch (IOException e) {
            throw new StackStartException("Connector", "could not be registered: " + e.getMessage(), jvm.logFile, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackStartException("Connector", "registration was interrupted", jvm.logFile, e);
        }
    }

    /** Waits until the connector and its first task are RUNNING (e.g. after a restart of the worker). */
    public void awaitRunning(String name, Duration timeout) {
        try {
            awaitRunningOrFail(name, timeout);
        } catch (IOException e) {
            throw new StackStartException("Connector " + name, "status could not be read: " + e.getMessage(), jvm.logFile, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackStartException("Connector " + name, "wait was interrupted", jvm.logFile, e);
        }
    }

    private void awaitRunningOrFail(String name, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        long restartedAt = 0;
        while (System.nanoTime() < deadline) {
            jvm.checkAlive();
            HttpResponse<String> status = get("/connectors/" + name + "/status");
            if (status.statusCode() == 200) {
                JsonNode body = JSON.readTree(status.body());
                last = body.toString();
                JsonNode tasks = body.path("tasks");
                boolean failed = "FAILED".equals(body.path("connector").path("state").asText());
                for (JsonNode task : tasks) {
                    failed |= "FAILED".equals(task.path("state").asText());
                }
                if (failed && restartedAt == 0) {
                    // A stored connector starts with its old configuration when the worker starts (e.g. a database
                    // on another port after a restart), and the MariaDB connector does not retry a refused first
                    // connection: restart it once on the configuration just registered, then judge.
                    restart(name);
                    restartedAt = System.nanoTime();
                    continue;
                }
                // The status may show the old task's failure for a moment after the restart.
                if (failed && System.nanoTime() - restartedAt > Duration.ofSeconds(5).toNanos()) {
                    throw new StackStartException("Connector " + name, "FAILED: " + last, jvm.logFile);
                }
                if ("RUNNING".equals(body.path("connector").path("state").asText()) && !tasks.isEmpty()
                        && "RUNNING".equals(tasks.get(0).path("state").asText())) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new StackStartException("Connector " + name, "was not RUNNING within " + timeout.toSeconds()
                + " s; last status " + last, jvm.logFile);
    }

    private void restart(String name) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(url() + "/connectors/" + name + "/restart?includeTasks=true&onlyFailed=true"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    /** Deletes a connector (its replication slot stays; {@link Stack} drops the slots it created). */
    public void deleteConnector(String name) {
        try {
            http.send(HttpRequest.newBuilder(URI.create(url() + "/connectors/" + name)).timeout(Duration.ofSeconds(30))
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IllegalStateException("Could not delete connector " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Simulates a crash (SIGKILL). */
    public void kill() {
        jvm.kill();
    }

    @Override
    public void close() {
        jvm.close();
    }
}
