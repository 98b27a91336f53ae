package io.bookmarket.launcher;

import io.bookmarket.contracts.Contracts;
import io.bookmarket.stack.KeycloakServer;
import io.bookmarket.stack.MariaDbServer;
import io.bookmarket.stack.PostgresServer;
import io.bookmarket.stack.QuarkusApp;
import io.bookmarket.stack.Stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The whole system on one machine: PostgreSQL (regrequest-service's and publisher-view's databases, Keycloak's), MariaDB
 * (approval-service's), Kafka, Kafka Connect with both outbox connectors, Keycloak (realm bookmarket: who may sign in
 * and with which roles), and the three services as packaged apps. Used by the launcher and the end-to-end tests.
 */
public final class LocalSystem implements AutoCloseable {

    public static final String REGREQUEST = "regrequest-service";
    public static final String APPROVAL = "approval-service";
    public static final String PUBLISHER_VIEW = "publisher-view";
    /** Infrastructure component names for {@link #kill} and {@link #restart}. */
    public static final String POSTGRESQL = "postgresql";
    public static final String MARIADB = "mariadb";
    public static final String KAFKA = "kafka";
    public static final String KAFKA_CONNECT = "kafka-connect";
    public static final String KEYCLOAK = "keycloak";
    public static final List<String> COMPONENTS = List.of(REGREQUEST, APPROVAL, PUBLISHER_VIEW, KAFKA_CONNECT, KAFKA, POSTGRESQL,
            MARIADB, KEYCLOAK);
    private static final System.Logger LOG = System.getLogger(LocalSystem.class.getName());

    private final Options options;
    private final Stack stack;
    /** Synchronized: services may be (re)started from several threads at once. */
    private final Map<String, QuarkusApp> services = java.util.Collections.synchronizedMap(new LinkedHashMap<>());

    private LocalSystem(Options options, Stack stack) {
        this.options = options;
        this.stack = stack;
    }

    public static LocalSystem start(Options options) {
        // The services are given Keycloak's address before it is up: its port is fixed now.
        if (options.keycloakPort == 0) {
            options.keycloakPort = Options.freePort();
        }
        // Keycloak (25-50 s) starts beside everything else once PostgreSQL is up; the services do not wait for it (they
        // reach it on the first request with a token), the system counts as started once it is ready too.
        Stack stack = Stack.start(Stack.options(options.dataDir)
                .databases("regrequest", "publisherview").mariaDbDatabases("approval")
                .postgresPort(options.postgresPort).mariaDbPort(options.mariaDbPort).kafkaPort(options.kafkaPort).connectPort(options.connectPort)
                .withKeycloak(true).keycloakPort(options.keycloakPort).keycloakManagementPort(options.keycloakManagementPort)
                .keycloakInBackground(true)
                .withConnect(true).dropSlotsOnClose(options.ephemeral));
        LocalSystem system = new LocalSystem(options, stack);
        try {
            // The services need their databases and Kafka, not each other: they start side by side.
            List<Future<QuarkusApp>> starts = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String service : List.of(APPROVAL, REGREQUEST, PUBLISHER_VIEW)) {
                    starts.add(pool.submit(() -> system.startService(service)));
                }
            }
            for (Future<QuarkusApp> start : starts) {
                Stack.result(start);
            }
            // The connectors publish the services' outbox tables, which the services' migrations create. They are
            // registered (creating the replication slot, recording the binlog position) before the system is announced
            // ready: with snapshot.mode=no_data nothing committed before that would be relayed, and no service writes
            // an event on its own. On later starts the connectors resume from their stored offsets.
            stack.registerConnector(Contracts.connector("regrequest-outbox"), Map.of());
            stack.registerConnector(Contracts.connector("approval-outbox"), Map.of());
            stack.keycloak(); // waits until it is ready (or throws why it is not)
            return system;
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
    }

    /** Starts (or restarts) one service and waits until it is ready. */
    public QuarkusApp startService(String name) {
        long begin = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, "Starting " + name + " (log " + logFile(name).toAbsolutePath() + ")");
        QuarkusApp app = new QuarkusApp(name, options.repoRoot.resolve(name + "/target/quarkus-app/quarkus-run.jar"),
                port(name), environment(name), logFile(name)).start(options.serviceTimeout);
        services.put(name, app);
        LOG.log(System.Logger.Level.INFO, String.format("%s ready at %s in %d ms", name, app.url(),
                Duration.ofNanos(System.nanoTime() - begin).toMillis()));
        return app;
    }

    public void stopService(String name) {
        QuarkusApp app = services.remove(name);
        if (app != null) {
            app.close();
        }
    }

    /**
     * Simulates a crash of one component (a service or {@link #POSTGRESQL}, {@link #MARIADB}, {@link #KAFKA},
     * {@link #KAFKA_CONNECT}, {@link #KEYCLOAK}): SIGKILL.
     */
    public void kill(String component) {
        switch (component) {
            case REGREQUEST, APPROVAL, PUBLISHER_VIEW -> {
                QuarkusApp app = services.remove(component);
                if (app != null) {
                    LOG.log(System.Logger.Level.INFO, "Killing " + component + " (SIGKILL)");
                    app.kill();
                }
            }
            default -> stack.kill(infrastructure(component));
        }
    }

    /** Starts a killed component again on the same data and ports and waits until it is ready. */
    public void restart(String component) {
        switch (component) {
            case REGREQUEST, APPROVAL, PUBLISHER_VIEW -> {
                kill(component);
                startService(component);
            }
            default -> stack.restart(infrastructure(component));
        }
    }

    private static Stack.Component infrastructure(String component) {
        return switch (component) {
            case POSTGRESQL -> Stack.Component.POSTGRES;
            case MARIADB -> Stack.Component.MARIADB;
            case KAFKA -> Stack.Component.KAFKA;
            case KAFKA_CONNECT -> Stack.Component.CONNECT;
            case KEYCLOAK -> Stack.Component.KEYCLOAK;
            default -> throw new IllegalArgumentException("Unknown component " + component + "; one of " + COMPONENTS);
        };
    }

    public QuarkusApp service(String name) {
        QuarkusApp app = services.get(name);
        if (app == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return app;
    }

    public String url(String name) {
        return "http://127.0.0.1:" + port(name);
    }

    public Stack stack() {
        return stack;
    }

    /** Keycloak of this system: tokens of the demo users ({@link KeycloakServer#token(String)}) and more. */
    public KeycloakServer keycloak() {
        return stack.keycloak();
    }

    /** The services' OIDC_URL: {@code http://127.0.0.1:<keycloak port>/realms/bookmarket}, the tokens' issuer. */
    public String realmUrl() {
        return "http://127.0.0.1:" + options.keycloakPort + "/realms/" + KeycloakServer.REALM;
    }

    private int port(String name) {
        return switch (name) {
            case REGREQUEST -> options.regRequestPort;
            case APPROVAL -> options.approvalPort;
            case PUBLISHER_VIEW -> options.publisherViewPort;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The environment a service is started with (e.g. to start its native executable the same way). */
    public Map<String, String> environment(String name) {
        String database = switch (name) {
            case REGREQUEST -> "regrequest";
            case APPROVAL -> "approval";
            default -> "publisherview";
        };
        Map<String, String> env = new LinkedHashMap<>();
        if (name.equals(APPROVAL)) {
            env.put("DB_URL", stack.mariaDb().jdbcUrl(database));
            env.put("DB_USER", MariaDbServer.USER);
            env.put("DB_PASSWORD", MariaDbServer.PASSWORD);
        } else {
            env.put("DB_URL", stack.postgres().jdbcUrl(database));
            env.put("DB_USER", PostgresServer.USER);
            env.put("DB_PASSWORD", "");
        }
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafka().bootstrapServers());
        env.put("OIDC_URL", realmUrl());
        // The shutdown delay lets a load balancer stop routing to a pod; locally nothing routes, so stop at once.
        env.put("SHUTDOWN_DELAY", "0s");
        if (name.equals(REGREQUEST)) {
            env.put("APPROVAL_URL", url(APPROVAL));
            env.put("OIDC_CLIENT_SECRET", KeycloakServer.REGREQUEST_SECRET);
        }
        env.putAll(options.extraEnv.getOrDefault(name, Map.of()));
        return env;
    }

    private Path logFile(String name) {
        return options.dataDir.resolve("logs/" + name + ".log");
    }

    /** Stops the services, then Connect, Keycloak, Kafka, MariaDB and PostgreSQL. */
    @Override
    public void close() {
        for (String name : List.of(PUBLISHER_VIEW, REGREQUEST, APPROVAL)) {
            try {
                stopService(name);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Stopping " + name + " failed: " + e.getMessage());
            }
        }
        stack.close();
    }

    /** Where the system runs. Infrastructure ports 0 = any free port. */
    public static final class Options {
        final Path repoRoot;
        final Path dataDir;
        int postgresPort = 15432;
        int mariaDbPort = 13306;
        int kafkaPort = 19092;
        int connectPort = 18083;
        int keycloakPort = 18180;
        int keycloakManagementPort = 18190;
        int regRequestPort = 8085;
        int approvalPort = 8086;
        int publisherViewPort = 8087;
        boolean ephemeral;
        Duration serviceTimeout = Duration.ofSeconds(90);
        final Map<String, Map<String, String>> extraEnv = new LinkedHashMap<>();

        public Options(Path repoRoot, Path dataDir) {
            this.repoRoot = repoRoot;
            this.dataDir = dataDir;
        }

        /**
         * A throw-away system for tests and benchmarks: an emptied data directory, every port free, replication slots
         * dropped on close. Restarting with the same options reuses the data and the service ports.
         */
        public static Options isolated(Path repoRoot, Path dataDir) {
            deleteRecursively(dataDir);
            return new Options(repoRoot, dataDir).infraPorts(0, 0, 0).mariaDbPort(0)
                    .keycloakPorts(freePort(), freePort())
                    .servicePorts(freePort(), freePort(), freePort()).ephemeral(true);
        }

        static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("No free port", e);
            }
        }

        private static void deleteRecursively(Path dir) {
            if (!Files.exists(dir)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Could not empty " + dir, e);
            }
        }

        public Options infraPorts(int postgres, int kafka, int connect) {
            this.postgresPort = postgres;
            this.kafkaPort = kafka;
            this.connectPort = connect;
            return this;
        }

        public Options mariaDbPort(int port) {
            this.mariaDbPort = port;
            return this;
        }

        /** Keycloak's HTTP port (0 = a free one, chosen at start) and its management (health) port (0 = free). */
        public Options keycloakPorts(int http, int management) {
            this.keycloakPort = http;
            this.keycloakManagementPort = management;
            return this;
        }

        public Options servicePorts(int regRequest, int approval, int publisherView) {
            this.regRequestPort = regRequest;
            this.approvalPort = approval;
            this.publisherViewPort = publisherView;
            return this;
        }

        /** Tests: drop the replication slots on close. A local system keeps them with its data. */
        public Options ephemeral(boolean ephemeral) {
            this.ephemeral = ephemeral;
            return this;
        }

        /** Extra environment for one service (e.g. shorter timeouts in tests). */
        public Options env(String service, Map<String, String> env) {
            extraEnv.computeIfAbsent(service, k -> new LinkedHashMap<>()).putAll(env);
            return this;
        }
    }
}
