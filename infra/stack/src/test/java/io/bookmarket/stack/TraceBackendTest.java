package io.bookmarket.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local trace UI under load: Zipkin is sent half again as many spans as it keeps, shaped like this system's (a
 * registration's 23 spans, SQL statements included). It stays up, keeps the newest traces and lets the oldest go.
 */
class TraceBackendTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SPANS_PER_TRACE = 23;
    private static final int TRACES_PER_BATCH = 100;
    private static final String[] SERVICES = {"regrequest-service", "approval-service", "publisher-view", "kafka-connect"};
    private static final String SQL = "insert into reg_request (book_id,book_nm,created_at,publ_id,reg_yn,updated_at,version,id) "
            + "values (?,?,?,?,?,?,?,?)";

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void moreSpansThanItKeepsLeaveItUpWithTheNewestTraces() throws Exception {
        int traces = TraceBackend.MAX_SPANS * 3 / 2 / SPANS_PER_TRACE;
        try (TraceBackend backend = TraceBackend.start(workDir, 0, 0, Duration.ofMinutes(2))) {
            for (int first = 0; first < traces; first += TRACES_PER_BATCH) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(backend.url() + "/api/v2/spans"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(spans(first, Math.min(first + TRACES_PER_BATCH, traces))))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("Zipkin's answer to spans of traces %d-%d: %s", first,
                        first + TRACES_PER_BATCH, response.body()).isEqualTo(202);
            }

            assertThat(backend.trace(traceId(traces - 1))).as("the newest trace").hasSize(SPANS_PER_TRACE);
            assertThat(backend.trace(traceId(0))).as("the oldest trace, beyond the bound").isEmpty();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(backend.url() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }

    private static String spans(int fromTrace, int toTrace) {
        ArrayNode spans = JSON.createArrayNode();
        long now = System.currentTimeMillis() * 1000;
        for (int trace = fromTrace; trace < toTrace; trace++) {
            String eventId = UUID.randomUUID().toString();
            for (int span = 0; span < SPANS_PER_TRACE; span++) {
                ObjectNode node = spans.addObject().put("traceId", traceId(trace)).put("id", spanId(trace, span))
                        .put("kind", span % 3 == 0 ? "SERVER" : "CLIENT").put("name", "insert regrequest.reg_request")
                        .put("timestamp", now + trace * 1000L + span).put("duration", 500 + span);
                if (span > 0) {
                    node.put("parentId", spanId(trace, 0));
                }
                node.putObject("localEndpoint").put("serviceName", SERVICES[span % SERVICES.length]);
                node.putObject("tags").put("db.connection_string", "postgresql://127.0.0.1:15432").put("db.name", "regrequest")
                        .put("db.operation", "INSERT").put("db.sql.table", "reg_request").put("db.statement", SQL)
                        .put("db.system", "postgresql").put("db.user", "postgres").put("bookmarket.event.id", eventId)
                        .put("messaging.kafka.offset", Integer.toString(trace)).put("otel.scope.name", "io.opentelemetry.jdbc")
                        .put("thread.name", "executor-thread-" + span);
            }
        }
        return spans.toString();
    }

    /** Never all zeros, which Zipkin refuses. */
    private static String spanId(int trace, int span) {
        return HexFormat.of().toHexDigits(trace * 64L + span + 1);
    }

    private static String traceId(int trace) {
        return "0af7651916cd43dd" + HexFormat.of().toHexDigits((long) trace);
    }
}
