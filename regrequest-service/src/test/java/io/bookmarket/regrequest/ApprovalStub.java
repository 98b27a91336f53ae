package io.bookmarket.regrequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays approval-service's {@code POST /approves} over real HTTP (JDK HttpServer on a free port). Tests switch its
 * behaviour ({@link #answer()}, {@link #fail(int)}, {@link #slow(long)}, {@link #down()}) and read how often it was
 * called. Like approval-service it keeps one ticket per reqReqId (201 the first time, 200 after).
 */
public class ApprovalStub implements QuarkusTestResourceLifecycleManager {

    enum Mode { ANSWER, FAIL, SLOW, DOWN }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile ApprovalStub current;

    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicLong ticketIds = new AtomicLong(1000);
    private final Map<Long, Long> tickets = new ConcurrentHashMap<>();
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.ANSWER;
    private volatile int failStatus = 500;
    private volatile long delayMillis;
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
        return Map.of("quarkus.rest-client.approval.url", "http://127.0.0.1:" + port);
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
        server.start();
        port = server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            calls.incrementAndGet();
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
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
            boolean created = !tickets.containsKey(reqReqId);
            long ticket = tickets.computeIfAbsent(reqReqId, id -> ticketIds.incrementAndGet());
            send(exchange, created ? 201 : 200, JSON.createObjectNode()
                    .put("id", ticket).put("reqReqId", reqReqId).put("publId", body.path("publId").asLong())
                    .put("appYn", "RegRequested").toString());
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
