package io.bookmarket.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The local trace backend: Zipkin's server (web UI and API on {@code 127.0.0.1:<port>}, spans kept in memory) behind an
 * OTLP/HTTP receiver ({@code 127.0.0.1:<otlp port>/v1/traces}, {@link OtlpReceiver}) that hands every span to Zipkin in
 * Zipkin's format. Two JVMs.
 * <p>
 * Why this shape: the services and Kafka Connect export OTLP, here as in production, where an OpenTelemetry Collector
 * receives it; locally the only trace UI served from Maven Central is Zipkin, which reads only its own format (its OTLP
 * receiver module is not served, OpenTelemetry's Zipkin exporter is discontinued). So the translation a collector would
 * do happens in the receiver, once: nothing in the services knows about Zipkin.
 * <p>
 * {@link #down()}, {@link #stall()} and {@link #up()} let tests show that an absent or hanging backend costs no request.
 */
public final class TraceBackend implements AutoCloseable {

    public static final String COMPONENT = "Trace backend (Zipkin)";
    public static final String RECEIVER = "Trace backend's OTLP receiver";
    /**
     * Zipkin keeps at most this many spans (the oldest traces go first). Sized to its heap ({@link #HEAP}): one span of
     * this system's traces (SQL statement spans included) holds about 2.4 KB of heap in Zipkin's memory store (measured:
     * 57,307 spans, 136 MB), so 50,000 spans take about 120 MB, about the last 2,000 registrations at 23 spans each. The
     * earlier bound of 200,000 did not fit its 256 MB heap: a few minutes of load filled it and Zipkin died of
     * OutOfMemoryError, taking the trace UI with it.
     */
    static final int MAX_SPANS = 50_000;
    /** Room for the spans above, spans twice that size (long error messages), and the UI's queries. */
    static final String HEAP = "-Xmx384m";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path workDir;
    private final Duration timeout;
    private final ChildJvm zipkin;
    private final int uiPort;
    private final int otlpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ChildJvm receiver;
    private boolean stalled;

    private TraceBackend(Path workDir, Duration timeout, ChildJvm zipkin, int uiPort, int otlpPort) {
        this.workDir = workDir;
        this.timeout = timeout;
        this.zipkin = zipkin;
        this.uiPort = uiPort;
        this.otlpPort = otlpPort;
    }

    static TraceBackend start(Path workDir, int wantedUiPort, int wantedOtlpPort, Duration timeout) {
        Path logFile = workDir.resolve("logs/zipkin.log");
        int uiPort = Ports.claim(wantedUiPort, COMPONENT, logFile);
        int otlpPort = Ports.claim(wantedOtlpPort, RECEIVER, logFile);
        ChildJvm jvm = ChildJvm.start(COMPONENT, "zipkin.classpath",
                List.of("-Xms64m", HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                "org.springframework.boot.loader.launch.JarLauncher",
                List.of("--armeria.ports[0].ip=" + Ports.HOST, "--armeria.ports[0].port=" + uiPort,
                        "--armeria.ports[0].protocols[0]=http",
                        // In memory, bounded: the oldest traces go first.
                        "--zipkin.storage.mem.max-spans=" + MAX_SPANS),
                logFile);
        TraceBackend backend = new TraceBackend(workDir, timeout, jvm, uiPort, otlpPort);
        try {
            Readiness.await(jvm, timeout, () -> backend.get("/health").statusCode() == 200);
            backend.up();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    /** The web UI (and Zipkin's API under /api/v2). */
    public String url() {
        return "http://" + Ports.HOST + ":" + uiPort;
    }

    /** Where OTLP/HTTP exporters send to (OTEL_EXPORTER_OTLP_ENDPOINT; they append /v1/traces). */
    public String otlpEndpoint() {
        return "http://" + Ports.HOST + ":" + otlpPort;
    }

    public Path logFile() {
        return zipkin.logFile;
    }

    /** One trace's spans as Zipkin holds them (an empty array while none arrived). */
    public JsonNode trace(String traceId) {
        try {
            HttpResponse<String> response = get("/api/v2/trace/" + traceId);
            return response.statusCode() == 404 ? JSON.createArrayNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("Zipkin's answer for trace " + traceId + " is not JSON", e);
        }
    }

    /** Receives OTLP again: resumes a stalled receiver, or starts one after {@link #down()}. */
    public synchronized void up() {
        if (stalled) {
            receiver.signal("CONT");
            stalled = false;
        }
        if (receiver != null && receiver.isAlive()) {
            return;
        }
        Path logFile = workDir.resolve("logs/otlp-receiver.log");
        ChildJvm jvm = ChildJvm.start(RECEIVER, System.getProperty("java.class.path"), Map.of(),
                List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                OtlpReceiver.class.getName(), List.of(Integer.toString(otlpPort), url()), logFile);
        Readiness.await(jvm, timeout, () -> Ports.isOpen(otlpPort), java.time.Duration.ofMillis(50));
        receiver = jvm;
    }

    /** The receiver is gone: exporters find nothing there (connection refused). */
    public synchronized void down() {
        if (receiver != null) {
            if (stalled) {
                receiver.signal("CONT");
                stalled = false;
            }
            receiver.kill();
        }
    }

    /** The receiver is frozen (SIGSTOP): it accepts connections and answers nothing until {@link #up()}. */
    public synchronized void stall() {
        if (receiver != null && receiver.isAlive() && !stalled) {
            receiver.signal("STOP");
            stalled = true;
        }
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(COMPONENT + " did not answer " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** Stops receiving, then Zipkin (its spans were only in memory). */
    @Override
    public synchronized void close() {
        if (receiver != null) {
            if (stalled) {
                receiver.signal("CONT");
                stalled = false;
            }
            receiver.close(Duration.ofSeconds(5));
        }
        zipkin.close(Duration.ofSeconds(10));
    }
}
