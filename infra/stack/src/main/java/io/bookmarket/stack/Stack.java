package io.bookmarket.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * PostgreSQL (+ optionally MariaDB) + Kafka (+ optionally Kafka Connect, Keycloak and the trace backend) started from
 * Maven artifacts, no Docker. Used by the services' test resource, the local launcher, the end-to-end, reliability and bench suites. Stops
 * in reverse order.
 */
public final class Stack implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Stack.class.getName());

    private final StackOptions options;
    private final Map<String, Duration> startupTimes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final OutboxConnectors connectors;
    // Each restartable component knows how to start again on the ports of the one that was killed.
    private final Slot<PostgresServer> postgres;
    private final Slot<MariaDbServer> mariaDb;
    private final Slot<KafkaBroker> kafka;
    private final Slot<ConnectWorker> connect;
    private final Slot<KeycloakServer> keycloak;
    private final Map<Component, Slot<?>> slots;
    private TraceBackend tracing;
    private volatile TokenClient tokens;
    /** Keycloak starts on a thread of its own (it needs only PostgreSQL); close() interrupts it. */
    private volatile Thread keycloakStarter;
    private final java.util.concurrent.CompletableFuture<KeycloakServer> startingKeycloak =
            new java.util.concurrent.CompletableFuture<>();

    private Stack(StackOptions options) {
        this.options = options;
        connectors = new OutboxConnectors(this::connect, this::kafka, this::postgres, this::mariaDb, options.timeout);
        postgres = new Slot<>(Component.POSTGRES, "PostgreSQL", old -> PostgresServer.start(options.workDir, old.port()));
        mariaDb = new Slot<>(Component.MARIADB, "MariaDB",
                old -> MariaDbServer.start(options.workDir, old.port(), options.timeout));
        kafka = new Slot<>(Component.KAFKA, "Kafka", old -> KafkaBroker.start(options.workDir, old.port(), options.timeout));
        connect = new Slot<>(Component.CONNECT, "Kafka Connect", old -> {
            ConnectWorker worker = ConnectWorker.start(options.workDir, old.port(), kafka().bootstrapServers(), otlpEndpoint(),
                    options.timeout);
            connectors.awaitAllRunning(worker);
            return worker;
        });
        keycloak = new Slot<>(Component.KEYCLOAK, "Keycloak", old -> KeycloakServer.start(options.workDir, old.port(),
                old.managementPort(), postgres(), options.keycloakTimeout()));
        slots = Map.of(Component.POSTGRES, postgres, Component.MARIADB, mariaDb, Component.KAFKA, kafka,
                Component.CONNECT, connect, Component.KEYCLOAK, keycloak);
    }

    public static StackOptions options(Path workDir) {
        return new StackOptions(workDir);
    }

    /** Starts every component; on any failure stops what already runs and rethrows (no orphan processes). */
    public static Stack start(StackOptions options) {
        Stack stack = new Stack(options);
        try {
            stack.startAll();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() {
        long begin = System.nanoTime();
        // PostgreSQL, MariaDB and Kafka need nothing from each other: they start side by side.
        Future<PostgresServer> startingPostgres;
        Future<MariaDbServer> startingMariaDb;
        Future<KafkaBroker> startingKafka;
        Future<TraceBackend> startingTracing;
        try (ExecutorService starts = Executors.newVirtualThreadPerTaskExecutor()) {
            startingTracing = !options.withTracing ? null : starts.submit(() -> {
                info("Starting the trace backend (Zipkin, log %s)", options.workDir.resolve("logs/zipkin.log").toAbsolutePath());
                TraceBackend backend = timed("Tracing", () -> TraceBackend.start(options.workDir, options.tracingPort,
                        options.otlpPort, options.timeout));
                info("Trace backend ready: UI %s, OTLP %s, in %d ms", backend.url(), backend.otlpEndpoint(),
                        startupTimes.get("Tracing").toMillis());
                return backend;
            });
            startingPostgres = starts.submit(() -> {
                info("Starting PostgreSQL (data in %s)", options.workDir.resolve("postgres/data").toAbsolutePath());
                PostgresServer server = timed("PostgreSQL", () -> PostgresServer.start(options.workDir, options.postgresPort));
                for (String database : options.databases) {
                    server.createDatabase(database);
                }
                info("PostgreSQL ready on %s:%d in %d ms", Ports.HOST, server.port(), startupTimes.get("PostgreSQL").toMillis());
                if (options.withKeycloak) {
                    // Keycloak needs PostgreSQL only: it starts now, beside everything else, and takes longest.
                    startKeycloak(server, begin);
                }
                return server;
            });
            startingMariaDb = !options.withMariaDb ? null : starts.submit(() -> {
                info("Starting MariaDB (data in %s)", options.workDir.resolve("mariadb/data").toAbsolutePath());
                MariaDbServer server = timed("MariaDB", () -> MariaDbServer.start(options.workDir, options.mariaDbPort, options.timeout));
                for (String database : options.mariaDbDatabases) {
                    server.createDatabase(database);
                }
                info("MariaDB ready on %s:%d in %d ms", Ports.HOST, server.port(), startupTimes.get("MariaDB").toMillis());
                return server;
            });
            startingKafka = starts.submit(() -> {
                info("Starting Kafka broker (KRaft, log %s)", options.workDir.resolve("logs/kafka.log").toAbsolutePath());
                KafkaBroker broker = timed("Kafka", () -> KafkaBroker.start(options.workDir, options.kafkaPort, options.timeout));
                info("Kafka ready on %s in %d ms", broker.bootstrapServers(), startupTimes.get("Kafka").toMillis());
                return broker;
            });
        }
        // All have finished: keep whichever started, so close() stops it if another failed.
        List<RuntimeException> failures = new ArrayList<>();
        postgres.engine = keep(startingPostgres, failures);
        mariaDb.engine = startingMariaDb == null ? null : keep(startingMariaDb, failures);
        kafka.engine = keep(startingKafka, failures);
        tracing = startingTracing == null ? null : keep(startingTracing, failures);
        if (failures.isEmpty() && options.withConnect) {
            try {
                info("Starting Kafka Connect (log %s)", options.workDir.resolve("logs/kafka-connect.log").toAbsolutePath());
                ConnectWorker worker = timed("Kafka Connect", () -> ConnectWorker.start(options.workDir, options.connectPort,
                        kafka().bootstrapServers(), otlpEndpoint(), options.timeout));
                connect.engine = worker;
                info("Kafka Connect ready on %s in %d ms", worker.url(), startupTimes.get("Kafka Connect").toMillis());
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (options.withKeycloak && failures.isEmpty() && !options.keycloakInBackground) {
            try {
                keycloak();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException failure = failures.getFirst();
            failures.subList(1, failures.size()).forEach(failure::addSuppressed);
            throw failure;
        }
        startupTimes.put("total", Duration.ofNanos(System.nanoTime() - begin));
    }

    private void startKeycloak(PostgresServer database, long stackBegin) {
        Path logFile = options.workDir.resolve("logs/keycloak.log").toAbsolutePath();
        keycloakStarter = Thread.ofVirtual().name("keycloak-start").start(() -> {
            try {
                info("Starting Keycloak (sign-in for the services; data in PostgreSQL, log %s)", logFile);
                KeycloakServer server = timed("Keycloak", () -> KeycloakServer.start(options.workDir,
                        options.keycloakPort, options.keycloakManagementPort, database, options.keycloakTimeout()));
                info("Keycloak ready at %s in %d ms (%d ms after the stack began starting)", server.realmUrl(),
                        startupTimes.get("Keycloak").toMillis(), Duration.ofNanos(System.nanoTime() - stackBegin).toMillis());
                startingKeycloak.complete(server);
            } catch (Throwable e) {
                startingKeycloak.completeExceptionally(e);
            }
        });
    }

    private static <T> T keep(Future<T> start, List<RuntimeException> failures) {
        try {
            return result(start);
        } catch (RuntimeException e) {
            failures.add(e);
            return null;
        }
    }

    /** The outcome of a finished start: its component, or the exception that ended it. */
    public static <T> T result(Future<T> start) {
        try {
            return start.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting", e);
        }
    }

    /**
     * Registers an outbox connector from its JSON definition. The database coordinates are replaced by this
     * stack's; {@code overrides} may change more (e.g. the database name). Waits until its task is RUNNING.
     */
    public Map<String, String> registerConnector(String connectorJson, Map<String, String> overrides) {
        OutboxConnectors.Registration registration = connectors.register(connectorJson, overrides);
        startupTimes.put("connector " + registration.name(), registration.took());
        info("Connector %s RUNNING (database %s) in %d ms", registration.name(), registration.config()
                .getOrDefault("database.dbname", registration.config().get("database.include.list")), registration.took().toMillis());
        return registration.config();
    }

    public PostgresServer postgres() {
        return postgres.engine;
    }

    public boolean hasMariaDb() {
        return mariaDb.engine != null;
    }

    public MariaDbServer mariaDb() {
        return mariaDb.running();
    }

    public KafkaBroker kafka() {
        return kafka.engine;
    }

    /**
     * The stack's token client, one for its whole life (Keycloak keeps its port across restarts); waits for Keycloak
     * as {@link #keycloak()} does.
     */
    public TokenClient tokens() {
        TokenClient client = tokens;
        if (client == null) {
            synchronized (this) {
                if (tokens == null) {
                    tokens = new TokenClient(keycloak().url());
                }
                client = tokens;
            }
        }
        return client;
    }

    /**
     * Keycloak, once it is ready: when the stack was started with {@link StackOptions#keycloakInBackground}, this waits
     * for it (and throws its start's failure).
     */
    public KeycloakServer keycloak() {
        if (!options.withKeycloak) {
            throw new IllegalStateException("This stack was started without Keycloak");
        }
        if (keycloak.engine == null) {
            keycloak.engine = result(startingKeycloak);
        }
        return keycloak.engine;
    }

    /** The trace backend, or an exception when this stack runs without one. */
    public TraceBackend tracing() {
        if (tracing == null) {
            throw new IllegalStateException("This stack was started without the trace backend");
        }
        return tracing;
    }

    /** Where spans go (OTLP/HTTP), or null without the trace backend. */
    public String otlpEndpoint() {
        return tracing == null ? null : tracing.otlpEndpoint();
    }

    public ConnectWorker connect() {
        return connect.running();
    }

    /** The infrastructure components that {@link #kill} and {@link #restart} address. */
    public enum Component { POSTGRES, MARIADB, KAFKA, CONNECT, KEYCLOAK }

    /**
     * Simulates a crash of one component: SIGKILL, no clean shutdown (PostgreSQL: the postmaster and its backends).
     * {@link #restart} brings it back on the same data and ports.
     */
    public void kill(Component component) {
        info("Killing %s (SIGKILL)", component);
        slot(component).running().kill();
    }

    /**
     * Starts a component again on its data directory and port after {@link #kill} (or a crash) and waits until it is
     * ready; after Kafka Connect, also until every connector registered by this stack runs again.
     */
    public void restart(Component component) {
        long begin = System.nanoTime();
        slot(component).restart();
        info("%s restarted in %d ms", component, Duration.ofNanos(System.nanoTime() - begin).toMillis());
    }

    private Slot<?> slot(Component component) {
        if (component == Component.KEYCLOAK) {
            keycloak(); // started in the background: wait for it
        }
        return slots.get(component);
    }

    /** One restartable component: the engine running now, and how to start another on the ports of a killed one. */
    private static final class Slot<E extends Engine> {
        private final Component component;
        private final String name;
        private final java.util.function.UnaryOperator<E> startAgain;
        private volatile E engine;

        Slot(Component component, String name, java.util.function.UnaryOperator<E> startAgain) {
            this.component = component;
            this.name = name;
            this.startAgain = startAgain;
        }

        E running() {
            if (engine == null) {
                throw new IllegalStateException("This stack was started without " + name);
            }
            return engine;
        }

        void restart() {
            E old = running();
            old.kill(); // idempotent; releases the data directory's lock for the new process
            engine = startAgain.apply(old);
        }

        /** Orderly stop of what runs, if anything; a failure is logged, not thrown (the rest still stops). */
        void close() {
            if (engine != null) {
                quietly(name, engine::close);
                engine = null;
            }
        }

        @Override
        public String toString() {
            return component + " (" + name + ")";
        }
    }

    /** How long each component took to become ready (and "total"). */
    public Map<String, Duration> startupTimes() {
        return Map.copyOf(startupTimes);
    }

    /**
     * Stops Connect, then Keycloak, Kafka, MariaDB, PostgreSQL and the trace backend. Ephemeral stacks also drop the replication slots
     * they made.
     */
    @Override
    public void close() {
        if (connect.engine != null && options.dropSlotsOnClose) {
            connectors.deleteConnectors();
        }
        connect.close();
        if (postgres.engine != null && options.dropSlotsOnClose) {
            connectors.dropSlots(); // once Connect no longer holds them
        }
        stopKeycloak();
        kafka.close();
        mariaDb.close();
        postgres.close();
        if (tracing != null) {
            quietly("the trace backend", tracing::close);
            tracing = null;
        }
    }

    /** A Keycloak still starting is interrupted (its start stops the process it launched) and waited for. */
    private void stopKeycloak() {
        if (keycloakStarter == null) {
            return;
        }
        if (keycloakStarter.isAlive()) {
            info("Keycloak is still starting; stopping it");
            keycloakStarter.interrupt();
        }
        try {
            keycloakStarter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (keycloak.engine == null && !startingKeycloak.isCompletedExceptionally()) {
            keycloak.engine = startingKeycloak.getNow(null);
        }
        keycloak.close();
        keycloakStarter = null;
    }

    private static void quietly(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Stopping " + what + " failed: " + e.getMessage(), e);
        }
    }

    private <T> T timed(String name, java.util.function.Supplier<T> start) {
        long begin = System.nanoTime();
        T component = start.get();
        startupTimes.put(name, Duration.ofNanos(System.nanoTime() - begin));
        return component;
    }

    private static void info(String format, Object... args) {
        LOG.log(System.Logger.Level.INFO, String.format(format, args));
    }
}
