package io.bookmarket.stack;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway in front of real HTTP servers (Vert.x, each with a readiness endpoint the test switches): round robin
 * over ready replicas, none to a replica that is not ready, a refused connection retried elsewhere, a sent request
 * never sent twice, problem JSON when nothing can answer.
 */
class GatewayTest {

    private static final String SERVICE = "regrequest-service";
    /** Routes shaped like the system's (launcher's LocalSystem.routes()): the original's paths, a start page, pages. */
    private static final Map<String, String> ROUTES = Map.of("/regRequests", SERVICE, "/regrequests", SERVICE,
            "/approves", "approval-service", "/publpages", "publisher-view", "/", SERVICE, "/ui/requests", SERVICE,
            "/ui/assets", SERVICE, "/_static", SERVICE, "/ui/reviews", "approval-service");
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private Gateway gateway;
    private Backend a;
    private Backend b;

    @BeforeEach
    void startBackends() throws Exception {
        a = new Backend("a");
        b = new Backend("b");
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void requestsGoRoundRobinOverTheReadyReplicas() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL);
        for (int i = 0; i < 10; i++) {
            // Both spellings of the original's path, sub-paths and query strings
            HttpResponse<String> answer = get(i % 2 == 0 ? "/regRequests/" + i + "?page=1&size=5" : "/regrequests?publId=" + i);
            assertThat(answer.statusCode()).isEqualTo(200);
        }
        assertThat(a.received).hasSize(5);
        assertThat(b.received).hasSize(5);
        assertThat(List.of(a.received.getFirst().uri(), b.received.getFirst().uri()))
                .containsExactlyInAnyOrder("/regRequests/0?page=1&size=5", "/regrequests?publId=1");
        assertThat(gateway.requests(a.uri())).isEqualTo(5);
        assertThat(gateway.requests(b.uri())).isEqualTo(5);
    }

    @Test
    void aReplicaWhoseReadinessTurnsDownGetsNoNewRequestsWithinASecond() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL);
        b.ready = false;
        long begin = System.nanoTime();
        await(() -> !gateway.readyReplicas(SERVICE).contains(b.uri()), Duration.ofSeconds(1));
        System.out.printf("Gateway: readiness DOWN seen after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        for (int i = 0; i < 10; i++) {
            assertThat(get("/regRequests").body()).isEqualTo("a");
        }
        assertThat(b.received).isEmpty();

        b.ready = true; // back: it gets its share again
        await(() -> gateway.readyReplicas(SERVICE).contains(b.uri()), Duration.ofSeconds(1));
        for (int i = 0; i < 4; i++) {
            get("/regRequests");
        }
        assertThat(b.received).hasSize(2);
    }

    @Test
    void aRefusedConnectionIsRetriedOnAnotherReplicaWithoutTheClientSeeingIt() throws Exception {
        // No polls after the first: the gateway still takes b for ready when it stops, as just after a crash.
        startGateway(Duration.ofHours(1));
        b.stop();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> answer = post("/regRequests", "{\"n\":" + i + "}", Map.of());
            assertThat(answer.statusCode()).isEqualTo(201);
            assertThat(answer.body()).isEqualTo("a");
        }
        assertThat(a.received).hasSize(6);
        // Once refused, b is left out until its readiness answers again: one retry, not one per request.
        assertThat(gateway.retriedConnects()).isOne();
        assertThat(gateway.readyReplicas(SERVICE)).containsExactly(a.uri());
        assertThat(gateway.requests(b.uri())).isZero();
    }

    @Test
    void bodiesAndHeadersPassUnchangedAndASentRequestIsNeverSentAgain() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL);
        String json = "{\"bookId\":99,\"bookNm\":\"mybook \\u00e9\",\"publId\":100}";
        HttpResponse<String> created = post("/regRequests?x=1&y=%20z", json,
                Map.of("Authorization", "Bearer abc.def.ghi", "Idempotency-Key", "key-1"));
        Seen seen = only(a.received, b.received);
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.uri()).isEqualTo("/regRequests?x=1&y=%20z");
        assertThat(seen.body()).isEqualTo(json);
        assertThat(seen.headers()).containsEntry("authorization", "Bearer abc.def.ghi").containsEntry("idempotency-key", "key-1")
                .containsEntry("content-type", "application/json")
                // the gateway's name, so the service's Location names the gateway
                .containsEntry("x-forwarded-host", "127.0.0.1:" + gateway.port())
                .containsEntry("x-forwarded-for", "127.0.0.1").containsEntry("x-forwarded-proto", "http");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("http://127.0.0.1:" + gateway.port() + "/regRequests/7");
        assertThat(created.headers().firstValue("X-Backend")).isPresent();

        // A large body streams through intact.
        String big = "{\"bookNm\":\"" + "x".repeat(300_000) + "\"}";
        post("/regRequests", big, Map.of());
        assertThat(a.received.size() + b.received.size()).isEqualTo(2);
        assertThat(a.received.stream().anyMatch(r -> r.body().equals(big)) || b.received.stream().anyMatch(r -> r.body().equals(big))).isTrue();

        // The replica took the request and died before answering: 502, and the other replica never sees it.
        HttpResponse<String> lost = post("/regRequests", "{\"lost\":true}", Map.of("X-Test-Drop", "true"));
        assertThat(lost.statusCode()).isEqualTo(502);
        assertThat(lost.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(new JsonObject(lost.body()).getInteger("status")).isEqualTo(502);
        assertThat(a.received.stream().filter(r -> r.body().contains("lost")).count()
                + b.received.stream().filter(r -> r.body().contains("lost")).count()).as("times the request was sent").isOne();
        assertThat(gateway.retriedConnects()).isZero();
    }

    @Test
    void withNoReadyReplicaTheAnswerIs503ProblemJsonNamingTheService() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL);
        a.ready = false;
        b.ready = false;
        await(() -> gateway.readyReplicas(SERVICE).isEmpty(), Duration.ofSeconds(1));
        assertUnavailable(post("/regRequests", "{}", Map.of()), SERVICE);
        assertThat(a.received).isEmpty();
        assertThat(b.received).isEmpty();
        // A service without any replica at all
        assertUnavailable(get("/approves/1?appYn=RegRequested"), "approval-service");
    }

    @Test
    void anUnknownPathAnswers404ProblemJson() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL);
        for (String path : List.of("/index.html", "/nothing", "/regRequestsX", "/RegRequests", "/q/health/ready", "/ui",
                "/ui/requestsX", "/ui/x")) {
            HttpResponse<String> answer = get(path);
            assertThat(answer.statusCode()).as(path).isEqualTo(404);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            JsonObject problem = new JsonObject(answer.body());
            assertThat(problem.getInteger("status")).isEqualTo(404);
            assertThat(problem.getString("detail")).contains("/regRequests");
        }
        assertThat(a.received).isEmpty();
        assertThat(b.received).isEmpty();
    }

    /** Paths are routed and forwarded as the services would resolve them; whatever leaves the API's paths is 404. */
    @Test
    void pathsAreNormalisedBeforeRoutingAndNothingOutsideTheApiIsReached() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL);
        for (String path : List.of("/regRequests/../q/metrics", "/publpages/../q/openapi", "/approves/%2e%2e/q/health",
                "/regRequests/%2E%2E/%2e%2e/q/metrics", "/regRequests/..%2f..%2fq/metrics", "/regRequests%2F..%2Fq/metrics",
                "/regRequests/..%5cq/metrics", "/regRequests/./../q", "/approves/1/../../q/dev")) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + gateway.port() + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 404").contains("application/problem+json");
        }
        // A raw backslash is no valid URI character: refused, whether by the HTTP parser (400) or the gateway (404).
        assertThat(raw("GET /regRequests/..\\q/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
                .matches("(?s)HTTP/1.1 40[04] .*");
        assertThat(a.received).isEmpty();
        assertThat(b.received).isEmpty();

        Map<String, String> forwarded = Map.of("//regRequests//7", "/regRequests/7", "/regRequests/./7/../8?x=1", "/regRequests/8?x=1",
                "/q/../regRequests/9", "/regRequests/9", "/regRequests/%2e/3", "/regRequests/3");
        for (Map.Entry<String, String> e : forwarded.entrySet()) {
            String answer = raw("GET " + e.getKey() + " HTTP/1.1\r\nHost: 127.0.0.1:" + gateway.port() + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(e.getKey()).startsWith("HTTP/1.1 200");
        }
        List<String> seen = new java.util.ArrayList<>();
        a.received.forEach(r -> seen.add(r.uri()));
        b.received.forEach(r -> seen.add(r.uri()));
        assertThat(seen).containsExactlyInAnyOrderElementsOf(forwarded.values());
    }

    /** The pages: the start page is exactly /, each section's paths go to the service that serves it. */
    @Test
    void thePagesAreRoutedToTheServicesThatServeThem() {
        assertThat(Gateway.route(ROUTES, "/")).isEqualTo("regrequest-service");
        assertThat(Gateway.route(ROUTES, "/ui/requests")).isEqualTo("regrequest-service");
        assertThat(Gateway.route(ROUTES, "/ui/requests/7/cancel")).isEqualTo("regrequest-service");
        assertThat(Gateway.route(ROUTES, "/ui/assets/bookmarket.css")).isEqualTo("regrequest-service");
        assertThat(Gateway.route(ROUTES, "/_static/htmx.org/2.0.2/dist/htmx.min.js")).isEqualTo("regrequest-service");
        assertThat(Gateway.route(ROUTES, "/ui/reviews")).isEqualTo("approval-service");
        assertThat(Gateway.route(ROUTES, "/ui/reviews/logout")).isEqualTo("approval-service");
        for (String other : List.of("/ui", "/ui/", "/index.html", "/ui/reviewsX", "//x")) {
            assertThat(Gateway.route(ROUTES, other)).as(other).isNull();
        }
    }

    @Test
    void normalisationFollowsRfc3986() {
        assertThat(Gateway.normalize("/a/b/c/./../../g")).isEqualTo("/a/g");
        assertThat(Gateway.normalize("/../../regRequests")).isEqualTo("/regRequests");
        assertThat(Gateway.normalize("/regRequests/")).isEqualTo("/regRequests/");
        assertThat(Gateway.normalize("/regRequests/7/..")).isEqualTo("/regRequests/");
        assertThat(Gateway.normalize("/regRequests/%2e%2E/x")).isEqualTo("/x");
        assertThat(Gateway.normalize("/regRequests/a%20b")).isEqualTo("/regRequests/a%20b");
        assertThat(Gateway.normalize("/regRequests%2f1")).isNull();
        assertThat(Gateway.normalize("relative")).isNull();
    }

    /** X-Forwarded-* and Host say what the gateway saw; a client's own are dropped, so links never name its host. */
    @Test
    void forwardedHeadersAndHostAreTheGatewaysNeverTheClients() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL);
        String answer = raw("POST /regRequests HTTP/1.1\r\nHost: evil.example:666\r\nX-Forwarded-For: 6.6.6.6\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Port: 443\r\n"
                + "Forwarded: for=1.2.3.4;host=evil.example;proto=https\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertThat(answer).startsWith("HTTP/1.1 201").contains("Location: http://127.0.0.1:" + gateway.port() + "/regRequests/7");
        Seen seen = only(a.received, b.received);
        assertThat(seen.headers()).containsEntry("x-forwarded-for", "127.0.0.1").containsEntry("x-forwarded-proto", "http")
                .containsEntry("x-forwarded-host", "127.0.0.1:" + gateway.port()).doesNotContainKeys("forwarded", "x-forwarded-port");
        assertThat(seen.headers().get("host")).as("Host: the replica's").doesNotContain("evil");

        // The gateway's other name is kept as the client used it.
        raw("GET /regRequests HTTP/1.1\r\nHost: localhost:" + gateway.port() + "\r\nConnection: close\r\n\r\n");
        List<Seen> all = new java.util.ArrayList<>(a.received);
        all.addAll(b.received);
        assertThat(all).anySatisfy(r -> assertThat(r.headers()).containsEntry("x-forwarded-host", "localhost:" + gateway.port()));
    }

    @Test
    void aReplicaThatDoesNotAnswerInTimeIs504AndTheRequestIsNotSentAgain() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL, new Gateway.Limits(Duration.ofMillis(500), Duration.ofSeconds(60), 20 * 1024, 10_000));
        HttpResponse<String> answer = post("/regRequests", "{\"hang\":true}", Map.of("X-Test-Hang", "true"));
        assertThat(answer.statusCode()).isEqualTo(504);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(new JsonObject(answer.body()).getString("type")).isEqualTo("urn:bookmarket:problem:gateway-timeout");
        assertThat(a.received.size() + b.received.size()).as("times the request was sent").isOne();
    }

    @Test
    void headersAndBodiesBeyondTheServicesLimitsAreRefused() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL, new Gateway.Limits(Duration.ofSeconds(60), Duration.ofSeconds(60), 4 * 1024, 10_000));
        HttpResponse<String> tooLarge = post("/regRequests", "x".repeat(10_001), Map.of());
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(tooLarge.body()).getInteger("status")).isEqualTo(413);
        String headers = raw("GET /regRequests HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "y".repeat(5000)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(headers).startsWith("HTTP/1.1 431");
        assertThat(a.received).isEmpty();
        assertThat(b.received).isEmpty();
        assertThat(post("/regRequests", "x".repeat(10_000), Map.of()).statusCode()).as("at the limit").isEqualTo(201);
    }

    /** A client that sends half a request and stops is disconnected after the idle timeout, not held for ever. */
    @Test
    void aClientThatStopsSendingHalfWayIsDisconnected() throws Exception {
        startGateway(Gateway.DEFAULT_POLL_INTERVAL, new Gateway.Limits(Duration.ofSeconds(60), Duration.ofMillis(500), 20 * 1024, 10_000));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /regRequests HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"half")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            long begin = System.nanoTime();
            byte[] rest = socket.getInputStream().readAllBytes(); // returns once the gateway closes the connection
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("closed by the gateway, not by our 10 s timeout")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(new String(rest, java.nio.charset.StandardCharsets.US_ASCII)).doesNotContain("HTTP/1.1 2");
        }
    }

    /** Sends exactly these bytes (no client library normalises the path) and reads the whole answer. */
    private String raw(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private void startGateway(Duration pollInterval, Gateway.Limits limits) {
        gateway = Gateway.start(0, ROUTES, pollInterval, limits);
        gateway.replicas(SERVICE, List.of(a.uri(), b.uri()));
        await(() -> gateway.readyReplicas(SERVICE).size() == 2, Duration.ofSeconds(5));
    }

    private void startGateway(Duration pollInterval) {
        gateway = Gateway.start(0, ROUTES, pollInterval);
        gateway.replicas(SERVICE, List.of(a.uri(), b.uri()));
        await(() -> gateway.readyReplicas(SERVICE).size() == 2, Duration.ofSeconds(5));
    }

    private static void assertUnavailable(HttpResponse<String> answer, String service) {
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).hasValue(Gateway.RETRY_AFTER_SECONDS);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonObject problem = new JsonObject(answer.body());
        assertThat(problem.getInteger("status")).isEqualTo(503);
        assertThat(problem.getString("detail")).contains(service);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Seen only(List<Seen> one, List<Seen> other) {
        assertThat(one.size() + other.size()).as("requests the replicas received").isOne();
        return one.isEmpty() ? other.getFirst() : one.getFirst();
    }

    private static void await(BooleanSupplier condition, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within " + within).isLessThan(deadline);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    record Seen(String method, String uri, Map<String, String> headers, String body) {
    }

    /** A replica: answers its name, records what it received, readiness as the test switches it. */
    private final class Backend {
        final String name;
        final List<Seen> received = new CopyOnWriteArrayList<>();
        final HttpServer server;
        volatile boolean ready = true;

        Backend(String name) throws Exception {
            this.name = name;
            server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        private void handle(HttpServerRequest request) {
            if (request.path().equals("/q/health/ready")) {
                request.response().setStatusCode(ready ? 200 : 503).end(ready ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
                return;
            }
            request.body().onSuccess(body -> {
                Map<String, String> headers = new java.util.HashMap<>();
                request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
                received.add(new Seen(request.method().name(), request.uri(), headers, body.toString()));
                if (request.getHeader("X-Test-Drop") != null) {
                    request.connection().close(); // took it, then died
                    return;
                }
                if (request.getHeader("X-Test-Hang") != null) {
                    return; // took it, and never answers
                }
                var response = request.response().putHeader("X-Backend", name);
                if (request.method().name().equals("POST")) {
                    // As the services do behind a trusted proxy (quarkus.http.proxy.enable-forwarded-host)
                    String host = request.getHeader("X-Forwarded-Host") != null ? request.getHeader("X-Forwarded-Host")
                            : request.getHeader("Host");
                    response.setStatusCode(201).putHeader("Location", "http://" + host + "/regRequests/7");
                }
                response.end(name);
            });
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.actualPort());
        }

        void stop() throws Exception {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
