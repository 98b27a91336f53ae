package io.bookmarket.e2e;

import io.bookmarket.stack.Realm;
import com.fasterxml.jackson.databind.JsonNode;
import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.stack.TraceBackend;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace per request, through everything it causes: the services' REST calls, the outbox, Debezium's relay (Kafka
 * Connect), Kafka and every consumer, read back from the local trace backend's API (Zipkin) as a user would find it
 * in its UI. And a trace backend that is down or hangs costs no request.
 */
@ExtendWith(WholeSystem.class)
class TracingIT {

    private static final Duration EVENTUALLY = Duration.ofSeconds(30);
    private static final String PUBLISHER = Realm.PUBLISHER.name();
    private static final String REVIEWER = Realm.REVIEWER.name();
    private static LocalSystem system;

    @BeforeAll
    static void useTheWholeSystem() {
        system = WholeSystem.system();
    }

    @Test
    void aFilingIsOneTraceFromThePostThroughTheOutboxToEveryConsumer() throws IOException {
        Caller caller = new Caller();
        Response filed = as(PUBLISHER).header("traceparent", caller.traceparent()).contentType(ContentType.JSON)
                .body(Map.of("bookId", 7001, "bookNm", "traced book", "publId", 100))
                .post(system.gatewayUrl() + "/regRequests");
        filed.then().statusCode(201);
        long id = filed.<Number>path("id").longValue();
        assertThat(filed.header("X-Trace-Id")).as("the caller's trace is continued and named").isEqualTo(caller.traceId);

        Trace trace = awaitTrace(caller.traceId, t -> t.has(PUBLISHER_VIEW, "apply RegRequested")
                && t.has(APPROVAL, "apply RegRequested"));
        JsonNode post = trace.one(REGREQUEST, s -> "SERVER".equals(s.path("kind").asText()));
        assertThat(post.path("parentId").asText()).as("the POST's server span is the caller's child").isEqualTo(caller.spanId);
        // The REST client's span (the JDBC statements' spans are CLIENT spans too)
        JsonNode reviewCall = trace.one(REGREQUEST, s -> "CLIENT".equals(s.path("kind").asText())
                && s.path("tags").has("http.request.method"));
        JsonNode review = trace.one(APPROVAL, s -> "SERVER".equals(s.path("kind").asText()));
        assertThat(review.path("parentId").asText()).as("approval-service's server span: child of the review call")
                .isEqualTo(reviewCall.path("id").asText());
        trace.assertDescends(reviewCall, post);
        // Through the outbox: the row carries the POST's trace, Debezium's relay spans in Kafka Connect continue it
        // (db-log-write, then debezium-read), then each consumer.
        JsonNode outboxInsert = trace.one(REGREQUEST, s -> Trace.named(s, "insert regrequest.outboxevent"));
        trace.assertDescends(outboxInsert, post);
        JsonNode relay = trace.one("kafka-connect", s -> Trace.named(s, "db-log-write"));
        trace.assertDescends(relay, post);
        trace.assertDescends(trace.one("kafka-connect", s -> Trace.named(s, "debezium-read")), relay);
        JsonNode toView = trace.one(PUBLISHER_VIEW, s -> Trace.named(s, "apply RegRequested"));
        JsonNode toApproval = trace.one(APPROVAL, s -> Trace.named(s, "apply RegRequested"));
        trace.assertDescends(toView, relay);
        trace.assertDescends(toApproval, relay);
        assertThat(trace.services()).as("database spans of each service").contains(REGREQUEST, APPROVAL, PUBLISHER_VIEW);
        assertThat(trace.spans).as("a JDBC span under the POST").anyMatch(s -> s.path("tags").has("db.system")
                && s.path("localEndpoint").path("serviceName").asText().equals(REGREQUEST));

        // The logs of the request and of each event's application name the trace.
        assertLogged(REGREQUEST, caller.traceId, "Request " + id + " filed");
        assertLogged(APPROVAL, caller.traceId, "for request " + id);
        assertLogged(PUBLISHER_VIEW, caller.traceId, "Request " + id);
    }

    @Test
    void aReviewersDecisionIsOneTraceToTheRequestAndTheView() throws IOException {
        long id = as(PUBLISHER).contentType(ContentType.JSON).body(Map.of("bookId", 7002, "bookNm", "decided book", "publId", 100))
                .post(system.gatewayUrl() + "/regRequests").then().statusCode(201).extract().<Number>path("id").longValue();
        long ticket = await().atMost(EVENTUALLY).until(() -> {
            List<Number> ids = as(REVIEWER).get(system.gatewayUrl() + "/approves?reqReqId=" + id).then().statusCode(200)
                    .extract().path("id");
            return ids.isEmpty() ? null : ids.getFirst().longValue();
        }, t -> t != null);
        Caller caller = new Caller();
        Response decided = as(REVIEWER).header("traceparent", caller.traceparent()).contentType(ContentType.JSON)
                .body(Map.of("appYn", "Approved")).patch(system.gatewayUrl() + "/approves/" + ticket);
        decided.then().statusCode(200);
        assertThat(decided.header("X-Trace-Id")).isEqualTo(caller.traceId);

        Trace trace = awaitTrace(caller.traceId, t -> t.has(REGREQUEST, "apply Approved") && t.has(PUBLISHER_VIEW, "apply Approved"));
        JsonNode patch = trace.one(APPROVAL, s -> "SERVER".equals(s.path("kind").asText()));
        assertThat(patch.path("parentId").asText()).isEqualTo(caller.spanId);
        JsonNode relay = trace.one("kafka-connect", s -> Trace.named(s, "db-log-write"));
        trace.assertDescends(relay, patch);
        trace.assertDescends(trace.one(REGREQUEST, s -> Trace.named(s, "apply Approved")), relay);
        trace.assertDescends(trace.one(PUBLISHER_VIEW, s -> Trace.named(s, "apply Approved")), relay);
        assertLogged(APPROVAL, caller.traceId, "Request " + id + " approved");
    }

    @Test
    void everyAnswerNamesItsTraceAndEveryProblemCarriesIt() {
        Caller caller = new Caller();
        Response invalid = as(PUBLISHER).header("traceparent", caller.traceparent()).contentType(ContentType.JSON)
                .body(Map.of("bookId", -1, "bookNm", "", "publId", 100)).post(system.gatewayUrl() + "/regRequests");
        invalid.then().statusCode(400).contentType("application/problem+json");
        assertThat(invalid.<String>path("traceId")).isEqualTo(caller.traceId);
        assertThat(invalid.header("X-Trace-Id")).isEqualTo(caller.traceId);
        // Without a caller's trace, each answer starts its own, and names it; a 401 too.
        for (String service : LocalSystem.SERVICES) {
            String path = switch (service) {
                case REGREQUEST -> "/regRequests/1";
                case APPROVAL -> "/approves";
                default -> "/publpages/1";
            };
            Response anonymous = given().get(system.url(service) + path);
            anonymous.then().statusCode(401);
            assertThat(anonymous.header("X-Trace-Id")).as("%s's 401", service).matches("[0-9a-f]{32}");
            assertThat(anonymous.<String>path("traceId")).as("%s's 401 problem", service).isEqualTo(anonymous.header("X-Trace-Id"));
        }
    }

    /**
     * The trace backend refusing connections, then accepting them and never answering: every filing is answered as
     * always (none waits for the backend: each takes far less than the exporter's 2 s timeout), the spans that cannot
     * be sent are dropped and counted, the queue stays bounded, and once the backend is back traces arrive again.
     */
    @Test
    void aTraceBackendThatIsDownOrHangsCostsNoRequest() {
        TraceBackend backend = system.tracing();
        double droppedBefore = metric(REGREQUEST, "bookmarket_trace_spans_dropped_total");
        try {
            backend.down();
            fileMany(150, "backend down");
            backend.stall();
            fileMany(150, "backend hanging");
        } finally {
            backend.up();
        }
        assertThat(metric(REGREQUEST, "bookmarket_trace_spans_dropped_total")).as("spans dropped and counted")
                .isGreaterThan(droppedBefore);
        assertThat(metric(REGREQUEST, "bookmarket_trace_spans_queued")).as("queued spans, bounded").isLessThanOrEqualTo(2048);
        Caller caller = new Caller();
        as(PUBLISHER).header("traceparent", caller.traceparent()).contentType(ContentType.JSON)
                .body(Map.of("bookId", 7003, "bookNm", "after the outage", "publId", 100))
                .post(system.gatewayUrl() + "/regRequests").then().statusCode(201);
        awaitTrace(caller.traceId, t -> t.has(PUBLISHER_VIEW, "apply RegRequested"));
    }

    private static void fileMany(int count, String label) {
        long slowest = 0;
        for (int i = 0; i < count; i++) {
            long begin = System.nanoTime();
            as(PUBLISHER).contentType(ContentType.JSON).body(Map.of("bookId", 8000 + i, "bookNm", label, "publId", 100))
                    .post(system.gatewayUrl() + "/regRequests").then().statusCode(201);
            slowest = Math.max(slowest, System.nanoTime() - begin);
        }
        System.out.printf("E2E: %d filings with the trace backend %s, slowest %d ms%n", count, label.replace("backend ", ""),
                slowest / 1_000_000);
        assertThat(Duration.ofNanos(slowest)).as("no filing waits for the trace backend (its export timeout is 2 s)")
                .isLessThan(Duration.ofMillis(1500));
    }

    // ---- helpers ----

    /** A caller's own trace: the W3C traceparent it sends. */
    private static final class Caller {
        final String traceId = HexFormat.of().formatHex(random(16));
        final String spanId = HexFormat.of().formatHex(random(8));

        String traceparent() {
            return "00-" + traceId + "-" + spanId + "-01";
        }

        private static byte[] random(int n) {
            byte[] bytes = new byte[n];
            ThreadLocalRandom.current().nextBytes(bytes);
            bytes[0] |= 1; // never all zeros (invalid)
            return bytes;
        }
    }

    /** A trace as the backend holds it. */
    private record Trace(List<JsonNode> spans) {

        boolean has(String service, String name) {
            return spans.stream().anyMatch(s -> service.equals(service(s)) && name.equalsIgnoreCase(s.path("name").asText()));
        }

        List<String> services() {
            return spans.stream().map(Trace::service).distinct().toList();
        }

        JsonNode one(String service, Predicate<JsonNode> which) {
            List<JsonNode> found = spans.stream().filter(s -> service.equals(service(s))).filter(which).toList();
            assertThat(found).as("spans of %s in %s", service, names()).isNotEmpty();
            return found.getFirst();
        }

        /** {@code span} is below {@code ancestor}: its chain of parents, all in this trace, reaches it. */
        void assertDescends(JsonNode span, JsonNode ancestor) {
            Map<String, JsonNode> byId = new HashMap<>();
            spans.forEach(s -> byId.put(s.path("id").asText(), s));
            List<String> chain = new ArrayList<>();
            for (JsonNode at = span; at != null; at = byId.get(at.path("parentId").asText())) {
                chain.add(service(at) + ":" + at.path("name").asText());
                if (at.path("id").asText().equals(ancestor.path("id").asText())) {
                    return;
                }
            }
            throw new AssertionError(service(span) + ":" + span.path("name").asText() + " does not descend from "
                    + service(ancestor) + ":" + ancestor.path("name").asText() + "; its parents: " + chain + "; trace: " + names());
        }

        List<String> names() {
            return spans.stream().map(s -> service(s) + ":" + s.path("name").asText()).toList();
        }

        /** Zipkin keeps span names in lower case. */
        static boolean named(JsonNode span, String name) {
            return name.equalsIgnoreCase(span.path("name").asText());
        }

        private static String service(JsonNode span) {
            return span.path("localEndpoint").path("serviceName").asText();
        }
    }

    private static Trace awaitTrace(String traceId, Predicate<Trace> complete) {
        return await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<JsonNode> spans = new ArrayList<>();
            system.tracing().trace(traceId).forEach(spans::add);
            return new Trace(spans);
        }, complete);
    }

    private static void assertLogged(String service, String traceId, String text) throws IOException {
        List<String> lines = Files.readAllLines(system.service(service).logFile());
        assertThat(lines).as("%s's log lines about '%s'", service, text)
                .anyMatch(line -> line.contains(text) && line.contains("traceId=" + traceId));
    }

    private static RequestSpecification as(String user) {
        return given().header("Authorization", "Bearer " + system.tokens().token(user));
    }

    /** The sum of a Prometheus metric of a service's replica 1 (all its label combinations). */
    private static double metric(String service, String name) {
        return given().get(system.url(service) + "/q/metrics").asString().lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
