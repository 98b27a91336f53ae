package io.bookmarket.stack;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local stand-in for the Kubernetes Ingress and Services: one port serving the original's gateway paths, each
 * routed round robin to the replicas of its service whose readiness ({@code /q/health/ready}) answered 200 last.
 * Built on Vert.x's reverse proxy, which streams bodies and passes headers through; {@code X-Forwarded-Host} names the
 * gateway, so the services' Location and Link headers do.
 * <p>
 * Retries follow what a client can tell apart: a replica that refuses the connection never saw the request, so it
 * goes to another ready replica; once a request was sent it is never sent again (POST is not idempotent), and a
 * failure then is a 502, no answer within the request timeout a 504.
 * <p>
 * What a client sends is not trusted: the path is normalised (dot segments, encoded dots, repeated slashes) before it
 * is routed and forwarded, so nothing outside the API's paths is reached; an encoded slash or a backslash is refused;
 * {@code X-Forwarded-*} and {@code Host} are set from what the gateway saw, never passed on from the client; headers
 * and bodies are limited as the services limit them; a client that stops sending half-way is disconnected after the
 * idle timeout.
 */
public final class Gateway implements AutoCloseable {

    /**
     * Twice within the local system's 1 s shutdown delay. Each poll runs a replica's readiness checks (a database
     * round trip): at 200 ms the polls cost an idle local system about 4 % of a core (services and gateway together).
     */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    static final String RETRY_AFTER_SECONDS = "5";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(Gateway.class.getName());

    /** The gateway's limits: as the services' own (Quarkus's defaults), and never waiting for ever. */
    public record Limits(Duration requestTimeout, Duration idleTimeout, int maxHeaderSize, long maxBodySize) {
        /** 60 s per request, 60 s idle, 20 KiB of headers, 10 MiB of body (quarkus.http.limits.*). */
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(60), Duration.ofSeconds(60), 20 * 1024, 10240L * 1024);
    }

    /**
     * Path prefix -> service, as the services' Ingress rules route them. Prefix match by path segment, case-sensitive,
     * as Kubernetes' {@code pathType: Prefix}; {@code /} (the start page) matches itself only, as {@code pathType: Exact}.
     */
    private final Map<String, String> routes;
    private final Limits limits;
    private final Vertx vertx;
    /** Readiness polls and replica-list changes run here, one at a time. */
    private final Context context;
    private final HttpClient proxyClient;
    private final HttpClient probeClient;
    private final Map<String, Service> services = new ConcurrentHashMap<>();
    /** By replica URI, so a replica's count survives its restart. */
    private final Map<URI, AtomicLong> requests = new ConcurrentHashMap<>();
    private final AtomicLong retriedConnects = new AtomicLong();
    private HttpServer server;

    private Gateway(Vertx vertx, Map<String, String> routes, Limits limits) {
        this.routes = Map.copyOf(routes);
        this.vertx = vertx;
        this.limits = limits;
        this.context = vertx.getOrCreateContext();
        // Up to 200 connections per replica: a load test through the gateway must not queue behind Vert.x's default 5.
        this.proxyClient = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(1000),
                new PoolOptions().setHttp1MaxSize(200));
        this.probeClient = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) PROBE_TIMEOUT.toMillis()), new PoolOptions().setHttp1MaxSize(1));
        routes.values().forEach(service -> services.put(service, new Service(service)));
    }

    /**
     * Listens on {@code port} (0 = any free one) on 127.0.0.1, routing each path prefix of {@code routes} to its
     * service, polling readiness every 200 ms.
     */
    public static Gateway start(int port, Map<String, String> routes) {
        return start(port, routes, DEFAULT_POLL_INTERVAL);
    }

    public static Gateway start(int port, Map<String, String> routes, Duration pollInterval) {
        return start(port, routes, pollInterval, Limits.DEFAULT);
    }

    public static Gateway start(int port, Map<String, String> routes, Duration pollInterval, Limits limits) {
        // Two event loops: the proxy only moves bytes, and the machine's cores belong to the services.
        Gateway gateway = new Gateway(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2)), routes, limits);
        try {
            gateway.listen(port, pollInterval);
            return gateway;
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
    }

    private void listen(int port, Duration pollInterval) {
        HttpProxy proxy = HttpProxy.reverseProxy(proxyClient).origin(this::connect).addInterceptor(new ProxyInterceptor() {
            @Override
            public Future<ProxyResponse> handleProxyRequest(ProxyContext proxyContext) {
                HttpServerRequest incoming = proxyContext.request().proxiedRequest();
                // The path that was routed is the one forwarded: the service never resolves a dot segment itself.
                String query = incoming.query();
                proxyContext.request().setURI(normalize(incoming.path()) + (query == null ? "" : "?" + query));
                forwarded(proxyContext);
                // Both failures end here: no replica could be connected (nothing was sent), or the one that was
                // failed before it answered. Either becomes problem JSON instead of the proxy's empty 502.
                return proxyContext.sendRequest().recover(failure -> Future.succeededFuture(failed(proxyContext, failure)));
            }
        });
        // HTTP/1.1 only: a client's h2c upgrade is simply not taken up.
        server = vertx.createHttpServer(new HttpServerOptions().setHost(Ports.HOST).setPort(port).setHttp2ClearTextEnabled(false)
                        .setMaxHeaderSize(limits.maxHeaderSize())
                        // A client that stops sending (or reading) half-way is disconnected, not waited for.
                        .setIdleTimeout((int) limits.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
                .requestHandler(request -> {
                    String path = normalize(request.path());
                    if (path == null || route(routes, path) == null) {
                        notFound(request);
                        return;
                    }
                    if (tooLarge(request.getHeader("Content-Length"))) {
                        contentTooLarge(request);
                        return;
                    }
                    proxy.handle(request);
                });
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new StackStartException("Gateway", "cannot listen on " + Ports.HOST + ":" + port + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                    + " (stop whatever listens there, or choose another port)", null, e);
        }
        context.runOnContext(v -> vertx.setPeriodic(pollInterval.toMillis(), id -> probeAll()));
        LOG.log(System.Logger.Level.INFO, "Gateway listening on " + url() + " (" + new java.util.TreeMap<>(routes) + ")");
    }

    /**
     * The replicas of one service ({@code http://host:port} each) from now on. Replicas already known keep their
     * readiness and counters; new ones get requests once their readiness answers 200 (polled at once).
     */
    public void replicas(String service, List<URI> replicas) {
        Service target = service(service);
        synchronized (target) {
            Map<URI, Replica> known = new LinkedHashMap<>();
            target.replicas.forEach(r -> known.put(r.uri, r));
            target.replicas = replicas.stream().distinct().map(uri -> known.containsKey(uri) ? known.get(uri)
                    : new Replica(uri, requests.computeIfAbsent(uri, u -> new AtomicLong()))).toList();
            known.keySet().stream().filter(uri -> !replicas.contains(uri)).forEach(uri -> LOG.log(System.Logger.Level.INFO,
                    "Gateway: " + service + " replica " + uri + " removed; it gets no new requests"));
        }
        context.runOnContext(v -> target.replicas.forEach(r -> probe(target, r)));
    }

    /** The replicas of a service, as last set. */
    public List<URI> replicas(String service) {
        return service(service).replicas.stream().map(r -> r.uri).toList();
    }

    /** The replicas that new requests go to now (readiness answered 200 last). */
    public List<URI> readyReplicas(String service) {
        return service(service).replicas.stream().filter(r -> r.ready).map(r -> r.uri).toList();
    }

    /** Requests sent to this replica so far (connected and handed over; retried connects are not counted). */
    public long requests(URI replica) {
        AtomicLong count = requests.get(replica);
        return count == null ? 0 : count.get();
    }

    /** Requests that could not connect to one replica and were handed to another. */
    public long retriedConnects() {
        return retriedConnects.get();
    }

    public int port() {
        return server.actualPort();
    }

    public String url() {
        return "http://" + Ports.HOST + ":" + port();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "Gateway did not stop cleanly: " + e.getMessage());
        }
    }

    private Service service(String name) {
        Service service = services.get(name);
        if (service == null) {
            throw new IllegalArgumentException("The gateway routes no paths to " + name + "; it knows " + services.keySet());
        }
        return service;
    }

    /**
     * The path as the services would read it, or null when it cannot be routed safely: {@code %2e} is a dot (RFC 3986:
     * unreserved characters may be decoded), repeated slashes are one, dot segments are removed (RFC 3986 5.2.4, never
     * above the root); an encoded slash or backslash, or a backslash, is refused (servers disagree on what it means).
     */
    static String normalize(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/") || rawPath.indexOf('\\') >= 0) {
            return null;
        }
        String lower = rawPath.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c")) {
            return null;
        }
        String decoded = rawPath.replace("%2e", ".").replace("%2E", ".");
        java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();
        for (String segment : decoded.split("/", -1)) {
            switch (segment) {
                case "", "." -> { } // repeated slashes and "." add nothing
                case ".." -> segments.pollLast();
                default -> segments.addLast(segment);
            }
        }
        String path = "/" + String.join("/", segments);
        // A trailing slash stays (it may matter to the service); "/.." and "/." end in a directory too.
        boolean directory = decoded.endsWith("/") || decoded.endsWith("/.") || decoded.endsWith("/..");
        return directory && !path.equals("/") ? path + "/" : path;
    }

    /** The service whose prefix matches the whole path or its first segments, or null. */
    static String route(Map<String, String> routes, String path) {
        if (path == null) {
            return null;
        }
        for (Map.Entry<String, String> route : routes.entrySet()) {
            String prefix = route.getKey();
            if (path.equals(prefix) || !prefix.equals("/") && path.startsWith(prefix + "/")) {
                return route.getValue();
            }
        }
        return null;
    }

    /** The origin of one request: a ready replica, round robin; the next one while connecting fails. */
    private Future<HttpClientRequest> connect(ProxyContext proxyContext) {
        HttpServerRequest incoming = proxyContext.request().proxiedRequest();
        // Host is the replica's (as a reverse proxy sends it); the gateway's public name goes in X-Forwarded-Host
        // (forwarded()), which the services build their links from. Not Vert.x's setAuthority: it would add the
        // client's own Host as X-Forwarded-Host.
        Service service = service(route(routes, normalize(incoming.path())));
        return connect(service, service.next(Set.of()), new HashSet<>());
    }

    private Future<HttpClientRequest> connect(Service service, Replica replica, Set<Replica> tried) {
        if (replica == null) {
            return Future.failedFuture(new NoReadyReplica(service.name));
        }
        tried.add(replica);
        return proxyClient.request(new RequestOptions().setServer(replica.address).setHost(replica.uri.getHost())
                        .setPort(replica.uri.getPort())
                        // No answer (nor any part of it) for this long: 504, and the connection to the replica is closed.
                        .setIdleTimeout(limits.requestTimeout().toMillis()))
                .onSuccess(request -> replica.requests.incrementAndGet())
                .recover(failure -> {
                    // Nothing was sent: another replica may take the request, and this one gets none until its
                    // readiness answers again.
                    context.runOnContext(v -> service.update(replica, false, "connection failed: " + failure.getMessage()));
                    Replica next = service.next(tried);
                    if (next != null) {
                        retriedConnects.incrementAndGet();
                    }
                    return connect(service, next, tried);
                });
    }

    private ProxyResponse failed(ProxyContext proxyContext, Throwable failure) {
        HttpServerRequest incoming = proxyContext.request().proxiedRequest();
        JsonObject problem;
        ProxyResponse response = proxyContext.request().release().response();
        if (failure instanceof NoReadyReplica none) {
            problem = problem(503, "urn:bookmarket:problem:service-unavailable", "Service temporarily unavailable",
                    "No replica of " + none.service + " is ready just now; nothing was sent to it. Retry later.", incoming.path());
            response.putHeader("Retry-After", RETRY_AFTER_SECONDS);
        } else if (failure instanceof java.util.concurrent.TimeoutException) {
            LOG.log(System.Logger.Level.WARNING, "Gateway: " + incoming.method() + " " + incoming.path()
                    + " got no answer within " + limits.requestTimeout().toSeconds() + " s");
            problem = problem(504, "urn:bookmarket:problem:gateway-timeout", "Gateway Timeout",
                    "The service did not answer within " + limits.requestTimeout().toSeconds() + " s. The request may or may "
                            + "not have taken effect; it was not sent again. Read the resource back before retrying.", incoming.path());
        } else {
            // Sent, so never sent again: the service may or may not have acted on it.
            LOG.log(System.Logger.Level.WARNING, "Gateway: " + incoming.method() + " " + incoming.path()
                    + " failed after it was sent: " + failure.getMessage());
            problem = problem(502, "urn:bookmarket:problem:bad-gateway", "Bad Gateway",
                    "The service failed while handling the request, which may or may not have taken effect; it was not "
                            + "sent again. Read the resource back before retrying.", incoming.path());
        }
        return response.setStatusCode(problem.getInteger("status")).putHeader("Content-Type", "application/problem+json")
                .setBody(Body.body(problem.toBuffer()));
    }

    private static JsonObject problem(int status, String type, String title, String detail, String instance) {
        return new JsonObject().put("type", type).put("title", title).put("status", status).put("detail", detail)
                .put("instance", instance);
    }

    private void notFound(HttpServerRequest request) {
        Buffer body = problem(404, "about:blank", "Not Found", "No service behind the gateway serves " + request.path()
                + "; it routes " + String.join(", ", new java.util.TreeSet<>(routes.keySet())) + " and their sub-paths.", request.path()).toBuffer();
        request.response().setStatusCode(404).putHeader("Content-Type", "application/problem+json").end(body);
    }

    /**
     * X-Forwarded-For, -Proto and -Host from what the gateway saw, replacing whatever the client sent: the services
     * trust these from the gateway (quarkus.http.proxy.*), so a client's own would be believed.
     */
    private void forwarded(ProxyContext proxyContext) {
        HttpServerRequest incoming = proxyContext.request().proxiedRequest();
        var headers = proxyContext.request().headers();
        List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port",
                "X-Forwarded-Prefix", "X-Forwarded-Server", "X-Real-IP").forEach(headers::remove);
        SocketAddress client = incoming.remoteAddress();
        if (client != null && client.hostAddress() != null) {
            headers.set("X-Forwarded-For", client.hostAddress());
        }
        headers.set("X-Forwarded-Proto", "http");
        headers.set("X-Forwarded-Host", publicHost(incoming) + ":" + port());
    }

    /**
     * The gateway's name as the client used it, when that is one of its own (it listens on 127.0.0.1: "localhost" or
     * "127.0.0.1"); otherwise 127.0.0.1. Links the services build never name a host a client made up.
     */
    private String publicHost(HttpServerRequest incoming) {
        var authority = incoming.authority();
        String host = authority == null ? null : authority.host();
        boolean own = ("localhost".equalsIgnoreCase(host) || Ports.HOST.equals(host)) && authority.port() == port();
        return own ? host.toLowerCase(java.util.Locale.ROOT) : Ports.HOST;
    }

    private boolean tooLarge(String contentLength) {
        try {
            return contentLength != null && Long.parseLong(contentLength.strip()) > limits.maxBodySize();
        } catch (NumberFormatException e) {
            return false; // the service answers a malformed length itself
        }
    }

    private void contentTooLarge(HttpServerRequest request) {
        Buffer body = problem(413, "about:blank", "Content Too Large", "The request body is larger than "
                + limits.maxBodySize() + " bytes.", request.path()).toBuffer();
        request.response().setStatusCode(413).putHeader("Content-Type", "application/problem+json")
                .putHeader("Connection", "close").end(body);
    }

    private void probeAll() {
        services.values().forEach(service -> service.replicas.forEach(replica -> probe(service, replica)));
    }

    /** One readiness poll; a replica whose previous poll has not answered yet is not asked again. */
    private void probe(Service service, Replica replica) {
        if (replica.probing) {
            return;
        }
        replica.probing = true;
        probeClient.request(new RequestOptions().setMethod(HttpMethod.GET).setServer(replica.address)
                        .setHost(replica.uri.getHost()).setPort(replica.uri.getPort()).setURI("/q/health/ready")
                        .setIdleTimeout(PROBE_TIMEOUT.toMillis()))
                .compose(request -> request.send().compose(response -> response.body().map(body -> response.statusCode())))
                .onComplete(answer -> context.runOnContext(v -> {
                    replica.probing = false;
                    if (answer.succeeded()) {
                        service.update(replica, answer.result() == 200, "readiness answered " + answer.result());
                    } else {
                        service.update(replica, false, "readiness not answering: " + answer.cause().getMessage());
                    }
                }));
    }

    /** One service's replicas. */
    private static final class Service {
        final String name;
        /** Replaced as a whole (on the gateway's context), read by every request. */
        volatile List<Replica> replicas = List.of();
        final AtomicInteger next = new AtomicInteger();

        Service(String name) {
            this.name = name;
        }

        /** The next ready replica, round robin, leaving out those tried already; null when none is left. */
        Replica next(Set<Replica> tried) {
            List<Replica> ready = replicas.stream().filter(r -> r.ready && !tried.contains(r)).toList();
            return ready.isEmpty() ? null : ready.get(Math.floorMod(next.getAndIncrement(), ready.size()));
        }

        void update(Replica replica, boolean ready, String why) {
            if (replica.ready == ready || !replicas.contains(replica)) {
                return;
            }
            replica.ready = ready;
            long readyCount = replicas.stream().filter(r -> r.ready).count();
            LOG.log(System.Logger.Level.INFO, ready
                    ? String.format("Gateway: %s replica %s is ready; it gets requests (%d of %d ready)", name, replica.uri, readyCount, replicas.size())
                    : String.format("Gateway: %s replica %s is not ready (%s); it gets no new requests (%d of %d ready)", name,
                            replica.uri, why, readyCount, replicas.size()));
        }
    }

    private static final class Replica {
        final URI uri;
        final SocketAddress address;
        final AtomicLong requests;
        volatile boolean ready;
        volatile boolean probing;

        Replica(URI uri, AtomicLong requests) {
            this.uri = uri;
            this.requests = requests;
            this.address = SocketAddress.inetSocketAddress(uri.getPort(), uri.getHost());
        }
    }

    private static final class NoReadyReplica extends RuntimeException {
        final String service;

        NoReadyReplica(String service) {
            super("no ready replica of " + service, null, false, false);
            this.service = service;
        }
    }
}
