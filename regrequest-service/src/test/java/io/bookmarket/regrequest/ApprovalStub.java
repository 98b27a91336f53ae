package io.bookmarket.regrequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bookmarket.support.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays approval-service's {@code POST /approves} over real HTTP (JDK HttpServer on a free port). Tests switch its
 * behaviour ({@link #answer()}, {@link #fail(int)}, {@link #slow(long)}, {@link #down()}) and read how often it was
 * called. Like approval-service it keeps one ticket per reqReqId (201 the first time, 200 after) and only for
 * regrequest-service's own token (else 401, counted in {@link #refused()}).
 * It also plays Keycloak's token endpoint for that token (client credentials of client regrequest-service with its
 * secret; a wrong secret is 401 invalid_client, as Keycloak answers), counting the tokens it issued; it can answer slowly
 * ({@link #slowTokens(long)}).
 */
public class ApprovalStub implements QuarkusTestResourceLifecycleManager {

    enum Mode { ANSWER, FAIL, SLOW, DOWN }

    static final String CLIENT_ID = "regrequest-service";
    static final String CLIENT_SECRET = "regrequest-service-local-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile ApprovalStub current;

    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicLong ticketIds = new AtomicLong(1000);
    private final Map<Long, Long> tickets = new ConcurrentHashMap<>();
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final Map<Long, String> traceparents = new ConcurrentHashMap<>();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile Mode mode = Mode.ANSWER;
    private volatile int failStatus = 500;
    private volatile long delayMillis;
    private volatile long tokenDelayMillis;
    private ExecutorService pool;
    private HttpServer server;
    private int port;

    /** The stub of this test JVM. */
    public static ApprovalStub stub() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "approval-stub");
            t.setDaemon(true);
            return t;
        });
        listen(0);
        current = this;
        return Map.of("quarkus.rest-client.approval.url", "http://127.0.0.1:" + port,
                "quarkus.oidc-client.auth-server-url", "http://127.0.0.1:" + port + "/realms/bookmarket",
                // The service has no secret of its own outside the dev profile: the test's client is this stub's.
                "approval.client-secret", CLIENT_SECRET);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
        pool.shutdownNow();
    }

    /** Back to normal: answers, is up, counters cleared. */
    public synchronized void reset() {
        answer();
        if (server == null) {
            listen(port);
        }
        calls.set(0);
        received.clear();
        traceparents.clear();
        tokenDelayMillis = 0;
        tokenRequests.set(0);
        refused.set(0);
    }

    public void answer() {
        mode = Mode.ANSWER;
    }

    public void fail(int status) {
        failStatus = status;
        mode = Mode.FAIL;
    }

    /** Answers normally, but only after the delay. */
    public void slow(long millis) {
        delayMillis = millis;
        mode = Mode.SLOW;
    }

    /** The token endpoint answers only after the delay (until {@link #reset()}). */
    public void slowTokens(long millis) {
        tokenDelayMillis = millis;
    }

    Mode mode() {
        return server == null ? Mode.DOWN : mode;
    }

    /** Switches to a mode kept from {@link #mode()} (failure status and delay as last set). */
    void mode(Mode next) {
        if (next == Mode.DOWN) {
            down();
        } else {
            up();
            mode = next;
        }
    }

    /** Stops listening: connections are refused. */
    public synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public synchronized void up() {
        if (server == null) {
            listen(port);
        }
    }

    public int calls() {
        return calls.get();
    }

    /** The bodies received, in order. */
    public List<JsonNode> received() {
        return List.copyOf(received);
    }

    /** How many tokens regrequest-service asked for (client credentials grants, good secret or not). */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /** Calls to /approves refused because they lacked a token this stub issued. */
    public int refused() {
        return refused.get();
    }

    /** The W3C traceparent header of the last review call for that request, if it carried one. */
    public String traceparentOf(long reqReqId) {
        return traceparents.get(reqReqId);
    }

    public Long ticketOf(long reqReqId) {
        return tickets.get(reqReqId);
    }

    private void listen(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("Approval stub cannot listen on port " + onPort, e);
        }
        server.setExecutor(pool);
        server.createContext("/approves", this::handle);
        server.createContext("/realms/bookmarket/protocol/openid-connect/token", this::token);
        server.start();
        port = server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            calls.incrementAndGet();
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ") || !issued.contains(authorization.substring(7))) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
                send(exchange, 401, "{\"title\":\"Unauthorized\"}");
                return;
            }
            received.add(body);
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "{}");
                return;
            }
            switch (mode) {
                case FAIL -> {
                    send(exchange, failStatus, "{\"title\":\"approval-service is failing\"}");
                    return;
                }
                case SLOW -> sleep(delayMillis);
                case ANSWER, DOWN -> {
                }
            }
            long reqReqId = body.get("reqReqId").asLong();
            String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
            if (traceparent != null) {
                traceparents.put(reqReqId, traceparent);
            }
            boolean created = !tickets.containsKey(reqReqId);
            long ticket = tickets.computeIfAbsent(reqReqId, id -> ticketIds.incrementAndGet());
            send(exchange, created ? 201 : 200, JSON.createObjectNode()
                    .put("id", ticket).put("reqReqId", reqReqId).put("publId", body.path("publId").asLong())
                    .put("appYn", "RegRequested").toString());
        }
    }

    /** Keycloak's token endpoint, client credentials grant with client_secret_basic (the OIDC client's default). */
    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            tokenRequests.incrementAndGet();
            sleep(tokenDelayMillis);
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
            if (!"POST".equals(exchange.getRequestMethod()) || !form.contains("grant_type=client_credentials")) {
                send(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
            } else if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"error\":\"invalid_client\",\"error_description\":\"Invalid client or Invalid client credentials\"}");
            } else {
                String token = TestTokens.reviewOpener();
                issued.add(token);
                send(exchange, 200, JSON.createObjectNode().put("access_token", token).put("token_type", "Bearer")
                        .put("expires_in", 300).toString());
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
