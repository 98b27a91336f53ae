package io.bookmarket.launcher;

import io.bookmarket.contracts.Contracts;
import io.bookmarket.stack.DatabaseServer;
import io.bookmarket.stack.Gateway;
import io.bookmarket.stack.KeycloakServer;
import io.bookmarket.stack.QuarkusApp;
import io.bookmarket.stack.Realm;
import io.bookmarket.stack.Stack;
import io.bookmarket.stack.TokenClient;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The whole system on one machine: PostgreSQL (regrequest-service's and publisher-view's databases, Keycloak's), MariaDB
 * (approval-service's), Kafka, Kafka Connect with both outbox connectors, Keycloak (realm bookmarket: who may sign in
 * and with which roles), the trace backend (Zipkin's UI; every span of every request, OTLP in), the three services as packaged apps, each with one or more replicas, and the gateway in front
 * of them (the local stand-in for the Kubernetes Ingress). Used by the launcher and the end-to-end tests.
 * <p>
 * Replica 1 of a service listens on the service's own port (8085, 8086, 8087: the original's clients call those);
 * replica k on port + 100 * (k - 1) (free ports in {@link SystemOptions#isolated}). All replicas of a service share its
 * database and its Kafka consumer group. The gateway routes to the replicas that run, as they start and stop.
 */
public final class LocalSystem implements AutoCloseable {

    public static final String REGREQUEST = "regrequest-service";
    public static final String APPROVAL = "approval-service";
    public static final String PUBLISHER_VIEW = "publisher-view";
    public static final List<String> SERVICES = List.of(REGREQUEST, APPROVAL, PUBLISHER_VIEW);
    /** Infrastructure component names for {@link #kill} and {@link #restart}. */
    public static final String POSTGRESQL = "postgresql";
    public static final String MARIADB = "mariadb";
    public static final String KAFKA = "kafka";
    public static final String KAFKA_CONNECT = "kafka-connect";
    public static final String KEYCLOAK = "keycloak";
    public static final List<String> COMPONENTS = List.of(REGREQUEST, APPROVAL, PUBLISHER_VIEW, KAFKA_CONNECT, KAFKA, POSTGRESQL,
            MARIADB, KEYCLOAK);
    private static final System.Logger LOG = System.getLogger(LocalSystem.class.getName());

    /**
     * What the system needs to know of each service: its database (and on which engine), the outbox connector that
     * relays its events (none: it publishes none), whether it serves pages (then it signs people in), and the path
     * prefixes the gateway routes to it (as its Ingress rules do; {@code /} is the start page only).
     */
    private record ServiceSpec(String database, boolean onMariaDb, String connector, boolean servesPages, List<String> paths) {
    }

    private static final Map<String, ServiceSpec> SPECS = Map.of(
            // Both spellings: the original's gateway routed both. The start page, the stylesheet and htmx come from the
            // service kept most available.
            REGREQUEST, new ServiceSpec("regrequest", false, "regrequest-outbox", true,
                    List.of("/regRequests", "/regrequests", "/", "/ui/requests", "/ui/assets", "/_static")),
            APPROVAL, new ServiceSpec("approval", true, "approval-outbox", true, List.of("/approves", "/ui/reviews")),
            PUBLISHER_VIEW, new ServiceSpec("publisherview", false, null, false, List.of("/publpages")));

    /** Path prefix -> service: what the gateway routes (and what each service's Ingress rules must route). */
    public static Map<String, String> routes() {
        Map<String, String> routes = new LinkedHashMap<>();
        SERVICES.forEach(service -> SPECS.get(service).paths().forEach(path -> routes.put(path, service)));
        return Map.copyOf(routes);
    }

    /** The infrastructure components of {@link #kill} and {@link #restart}, by their names here. */
    private static final Map<String, Stack.Component> INFRASTRUCTURE = Map.of(
            POSTGRESQL, Stack.Component.POSTGRES,
            MARIADB, Stack.Component.MARIADB,
            KAFKA, Stack.Component.KAFKA,
            KAFKA_CONNECT, Stack.Component.CONNECT,
            KEYCLOAK, Stack.Component.KEYCLOAK);

    private final SystemOptions options;
    private final Stack stack;
    private final Gateway gateway;
    /** Service -> replica number -> its running app. Replicas may be (re)started from several threads at once. */
    private final Map<String, Map<Integer, QuarkusApp>> running = new ConcurrentHashMap<>();
    /** The connector of a service that runs outside (dev mode), registered once its outbox table exists. */
    private volatile DeferredConnector deferredConnector;

    private LocalSystem(SystemOptions options, Stack stack, Gateway gateway) {
        this.options = options;
        this.stack = stack;
        this.gateway = gateway;
        SERVICES.forEach(service -> running.put(service, new ConcurrentSkipListMap<>()));
    }

    public static LocalSystem start(SystemOptions options) {
        // The services are given Keycloak's address before it is up: its port is fixed now.
        if (options.keycloakPort == 0) {
            options.keycloakPort = SystemOptions.freePort();
        }
        // First, so that a taken gateway port fails at once rather than after the infrastructure's start.
        Gateway gateway = Gateway.start(options.gatewayPort, routes());
        Stack stack;
        try {
            // Keycloak (25-50 s) starts beside everything else once PostgreSQL is up; the services do not wait for it
            // (they reach it on the first request with a token), the system counts as started once it is ready too.
            stack = Stack.start(Stack.options(options.dataDir)
                    .databases("regrequest", "publisherview").mariaDbDatabases("approval")
                    .postgresPort(options.postgresPort).mariaDbPort(options.mariaDbPort).kafkaPort(options.kafkaPort).connectPort(options.connectPort)
                    .withKeycloak(true).keycloakPort(options.keycloakPort).keycloakManagementPort(options.keycloakManagementPort)
                    .keycloakInBackground(true)
                    .withTracing(options.tracingPort, options.otlpPort)
                    .withConnect(true).dropSlotsOnClose(options.ephemeral));
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
        LocalSystem system = new LocalSystem(options, stack, gateway);
        try {
            for (String service : options.excluded) {
                LOG.log(System.Logger.Level.INFO, service + " is not started here (it runs outside, e.g. in dev mode); the "
                        + "gateway routes its paths to " + system.url(service));
                system.syncGateway(service);
            }
            // The services need their databases and Kafka, not each other: they start side by side.
            List<Future<QuarkusApp>> starts = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String service : List.of(APPROVAL, REGREQUEST, PUBLISHER_VIEW)) {
                    if (!options.excluded.contains(service)) {
                        starts.add(pool.submit(() -> system.startService(service)));
                    }
                }
            }
            for (Future<QuarkusApp> start : starts) {
                Stack.result(start);
            }
            // The connectors publish the services' outbox tables, which the services' migrations create. They are
            // registered (creating the replication slot, recording the binlog position) before the system is announced
            // ready: with snapshot.mode=no_data nothing committed before that would be relayed, and no service writes
            // an event on its own. On later starts the connectors resume from their stored offsets.
            for (String service : SERVICES) {
                if (SPECS.get(service).connector() != null) {
                    system.registerConnector(service);
                }
            }
            stack.keycloak(); // waits until it is ready (or throws why it is not)
            return system;
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
    }

    /** Registers a service's outbox connector; for a service that runs outside, once its outbox table exists. */
    private void registerConnector(String service) {
        String connector = SPECS.get(service).connector();
        Runnable register = () -> stack.registerConnector(Contracts.connector(connector), Map.of());
        if (options.excluded.contains(service)) {
            deferredConnector = DeferredConnector.start(connector, service, () -> outboxTableExists(service), register);
        } else {
            register.run();
        }
    }

    private boolean outboxTableExists(String service) {
        ServiceSpec spec = SPECS.get(service);
        try (Connection c = database(spec).connect(spec.database());
                ResultSet tables = c.getMetaData().getTables(null, null, "outboxevent", null)) {
            return tables.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Starts every replica of one service that does not run (side by side) and waits until they are ready and the
     * gateway routes to them. Returns replica 1.
     */
    public QuarkusApp startService(String name) {
        List<Future<QuarkusApp>> starts = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int replica = 1; replica <= options.replicas(name); replica++) {
                int k = replica;
                if (!running(name).containsKey(k)) {
                    starts.add(pool.submit(() -> start(name, k)));
                }
            }
        }
        starts.forEach(Stack::result);
        return service(name);
    }

    /** Starts replica {@code replica} (1, 2, ...) of a service, waits until it is ready and the gateway routes to it. */
    public QuarkusApp start(String name, int replica) {
        if (options.excluded.contains(name)) {
            throw new IllegalStateException(name + " runs outside this system (--except); it is not started here");
        }
        if (running(name).containsKey(replica)) {
            throw new IllegalStateException(label(name, replica) + " runs already");
        }
        long begin = System.nanoTime();
        Path log = logFile(name, replica);
        LOG.log(System.Logger.Level.INFO, "Starting " + label(name, replica) + " (log " + log.toAbsolutePath() + ")");
        QuarkusApp app = new QuarkusApp(replica == 1 ? name : name + "-" + replica,
                options.repoRoot.resolve(name + "/target/quarkus-app/quarkus-run.jar"), port(name, replica), environment(name), log)
                .trainsAotCache(replica == 1).start(options.serviceTimeout);
        running(name).put(replica, app);
        syncGateway(name);
        awaitRouted(name, URI.create(app.url()));
        LOG.log(System.Logger.Level.INFO, String.format("%s ready at %s in %d ms", label(name, replica), app.url(),
                Duration.ofNanos(System.nanoTime() - begin).toMillis()));
        return app;
    }

    /**
     * Stops one replica in order (SIGTERM): during its shutdown delay its readiness is DOWN while it still serves, so the
     * gateway stops sending it requests before it stops listening. Then the gateway forgets it.
     */
    public void stop(String name, int replica) {
        QuarkusApp app = running(name).remove(replica);
        if (app != null) {
            LOG.log(System.Logger.Level.INFO, "Stopping " + label(name, replica) + " (SIGTERM)");
            try {
                app.close();
            } finally {
                syncGateway(name);
            }
        }
    }

    /** Simulates a crash of one replica (SIGKILL). */
    public void kill(String name, int replica) {
        QuarkusApp app = running(name).remove(replica);
        if (app != null) {
            LOG.log(System.Logger.Level.INFO, "Killing " + label(name, replica) + " (SIGKILL)");
            try {
                app.kill();
            } finally {
                syncGateway(name);
            }
        }
    }

    /** Stops every replica of a service in order, side by side. */
    public void stopService(String name) {
        List<Future<?>> stops = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List.copyOf(running(name).keySet()).forEach(replica -> stops.add(pool.submit(() -> stop(name, replica))));
        }
        stops.forEach(Stack::result);
    }

    /**
     * Simulates a crash of one component (a service, with all its replicas, or {@link #POSTGRESQL}, {@link #MARIADB},
     * {@link #KAFKA}, {@link #KAFKA_CONNECT}, {@link #KEYCLOAK}): SIGKILL.
     */
    public void kill(String component) {
        if (SERVICES.contains(component)) {
            List.copyOf(running(component).keySet()).forEach(replica -> kill(component, replica));
        } else {
            stack.kill(infrastructure(component));
        }
    }

    /** Starts a killed component (a service: all its replicas) again on the same data and ports and waits until it is ready. */
    public void restart(String component) {
        if (SERVICES.contains(component)) {
            kill(component);
            startService(component);
        } else {
            stack.restart(infrastructure(component));
        }
    }

    private static Stack.Component infrastructure(String component) {
        Stack.Component infrastructure = INFRASTRUCTURE.get(component);
        if (infrastructure == null) {
            throw new IllegalArgumentException("Unknown component " + component + "; one of " + COMPONENTS);
        }
        return infrastructure;
    }

    /** Replica 1 of a service. */
    public QuarkusApp service(String name) {
        QuarkusApp app = running(name).get(1);
        if (app == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return app;
    }

    /** The running replicas of a service, by replica number. */
    public List<QuarkusApp> replicas(String name) {
        return List.copyOf(running(name).values());
    }

    /** Replica 1's URL (the service's own port). */
    public String url(String name) {
        return url(name, 1);
    }

    public String url(String name, int replica) {
        return "http://127.0.0.1:" + port(name, replica);
    }

    /** The gateway: the original's paths for every service on one port, round robin over the ready replicas. */
    public Gateway gateway() {
        return gateway;
    }

    public String gatewayUrl() {
        return gateway.url();
    }

    public Stack stack() {
        return stack;
    }

    /** Keycloak of this system (its URL, its process); tokens come from {@link #tokens()}. */
    public KeycloakServer keycloak() {
        return stack.keycloak();
    }

    /** Access tokens from the system's Keycloak (the demo users', the services' clients'). */
    public TokenClient tokens() {
        return stack.tokens();
    }

    /** The trace backend: Zipkin's UI and API ({@code url()}), the OTLP endpoint the services and Connect send to. */
    public io.bookmarket.stack.TraceBackend tracing() {
        return stack.tracing();
    }

    /** The services' OIDC_URL: {@code http://127.0.0.1:<keycloak port>/realms/bookmarket}, the tokens' issuer. */
    public String realmUrl() {
        return "http://127.0.0.1:" + options.keycloakPort + "/realms/" + Realm.NAME;
    }

    private Map<Integer, QuarkusApp> running(String name) {
        Map<Integer, QuarkusApp> replicas = running.get(name);
        if (replicas == null) {
            throw new IllegalArgumentException("Unknown service " + name + "; one of " + SERVICES);
        }
        return replicas;
    }

    /** The gateway routes to the replicas that run now; a service that runs outside, to its own port. */
    private void syncGateway(String name) {
        gateway.replicas(name, options.excluded.contains(name) ? List.of(URI.create(url(name)))
                : replicas(name).stream().map(app -> URI.create(app.url())).toList());
    }

    /** A replica that just answered ready is routed to after the gateway's next readiness poll (within a second). */
    private void awaitRouted(String name, URI replica) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!gateway.readyReplicas(name).contains(replica)) {
            if (System.nanoTime() > deadline) {
                LOG.log(System.Logger.Level.WARNING, "The gateway does not see " + replica + " ready yet; it routes to it once it does");
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String label(String name, int replica) {
        return replica == 1 ? name : name + " replica " + replica;
    }

    private int port(String name, int replica) {
        spec(name); // a known service
        int port = options.servicePorts.get(name);
        if (replica < 1) {
            throw new IllegalArgumentException("Replicas are numbered from 1: " + replica);
        }
        // Kept in the options: restarting with the same options reuses the ports.
        return replica == 1 ? port : options.replicaPorts.computeIfAbsent(name + "-" + replica,
                key -> options.freeReplicaPorts ? SystemOptions.freePort() : port + 100 * (replica - 1));
    }

    /** The environment a service is started with (e.g. to start its native executable the same way). */
    public Map<String, String> environment(String name) {
        ServiceSpec spec = spec(name);
        Map<String, String> env = new LinkedHashMap<>();
        DatabaseServer database = database(spec);
        env.put("DB_URL", database.jdbcUrl(spec.database()));
        env.put("DB_USER", database.user());
        env.put("DB_PASSWORD", database.password());
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafka().bootstrapServers());
        env.put("OIDC_URL", realmUrl());
        // Like every other local component: metrics, OpenAPI and Swagger UI are not open to the network.
        env.put("QUARKUS_HTTP_HOST", options.serviceHost);
        // Locally every request is traced (the services' own default samples a tenth of new traces).
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", stack.otlpEndpoint());
        env.put("OTEL_TRACES_SAMPLER", "parentbased_always_on");
        // ... with a span per SQL statement (off in production: most of a collector's work).
        env.put("TRACE_SQL_STATEMENTS", "true");
        // Readiness is DOWN for this long after SIGTERM while requests are still served: the gateway's poll sees it
        // and stops routing before the replica stops listening.
        env.put("SHUTDOWN_DELAY", options.shutdownDelay.toMillis() + "ms");
        if (name.equals(REGREQUEST)) {
            // Several approval replicas: through the gateway, which spreads the calls as a Kubernetes Service does.
            // One: directly, so the breaker sees approval-service itself hang or refuse, as the suites' scenarios expect.
            env.put("APPROVAL_URL", options.replicas(APPROVAL) > 1 ? gatewayUrl() : url(APPROVAL));
            env.put("OIDC_CLIENT_SECRET", Realm.REGREQUEST_SECRET);
        }
        if (spec.servesPages()) {
            // The pages' client (the publisher's requests, the reviewers' queue).
            env.put("UI_CLIENT_SECRET", Realm.WEB_SECRET);
        }
        env.putAll(options.extraEnv.getOrDefault(name, Map.of()));
        return env;
    }

    private DatabaseServer database(ServiceSpec spec) {
        return spec.onMariaDb() ? stack.mariaDb() : stack.postgres();
    }

    private static ServiceSpec spec(String name) {
        ServiceSpec spec = SPECS.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("Unknown service " + name + "; one of " + SERVICES);
        }
        return spec;
    }

    private Path logFile(String name, int replica) {
        return options.dataDir.resolve("logs/" + (replica == 1 ? name : name + "-" + replica) + ".log");
    }

    /** Stops the services (every replica side by side, each in order), the gateway, then Connect, Keycloak, Kafka, MariaDB and PostgreSQL. */
    @Override
    public void close() {
        DeferredConnector registration = deferredConnector;
        if (registration != null) {
            registration.close();
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String name : SERVICES) {
                pool.submit(() -> {
                    try {
                        stopService(name);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "Stopping " + name + " failed: " + e.getMessage());
                    }
                });
            }
        }
        gateway.close();
        stack.close();
    }
}
