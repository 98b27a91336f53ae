package io.bookmarket.launcher;

import io.bookmarket.stack.Dirs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static io.bookmarket.launcher.LocalSystem.SERVICES;

/** Where the system runs. Infrastructure ports 0 = any free port. */
public final class SystemOptions {
    final Path repoRoot;
    final Path dataDir;
    int postgresPort = 15432;
    int mariaDbPort = 13306;
    int kafkaPort = 19092;
    int connectPort = 18083;
    int keycloakPort = 18180;
    int keycloakManagementPort = 18190;
    /** Replica 1 of each service: the original's ports, which its clients call. */
    final Map<String, Integer> servicePorts = new LinkedHashMap<>(Map.of(REGREQUEST, 8085, APPROVAL, 8086, PUBLISHER_VIEW, 8087));
    int gatewayPort = 8080;
    /** The address the services listen on (loopback: nothing of them is reachable from the network). */
    String serviceHost = "127.0.0.1";
    int tracingPort = 9411;
    int otlpPort = 14318;
    final Map<String, Integer> replicas = new LinkedHashMap<>();
    /** Ports of replicas 2, 3, ... by "service-k"; free ones when {@link #freeReplicaPorts}. */
    final Map<String, Integer> replicaPorts = new ConcurrentHashMap<>();
    boolean freeReplicaPorts;
    final Set<String> excluded = new LinkedHashSet<>();
    Duration shutdownDelay = Duration.ofSeconds(1);
    boolean ephemeral;
    Duration serviceTimeout = Duration.ofSeconds(90);
    final Map<String, Map<String, String>> extraEnv = new LinkedHashMap<>();

    public SystemOptions(Path repoRoot, Path dataDir) {
        this.repoRoot = repoRoot;
        this.dataDir = dataDir;
    }

    /**
     * A throw-away system for tests and benchmarks: an emptied data directory, every port free, replication slots
     * dropped on close. Restarting with the same options reuses the data and the service ports.
     */
    public static SystemOptions isolated(Path repoRoot, Path dataDir) {
        Dirs.deleteRecursively(dataDir);
        SystemOptions options = new SystemOptions(repoRoot, dataDir).infraPorts(0, 0, 0).mariaDbPort(0)
                .keycloakPorts(freePort(), freePort())
                .servicePorts(freePort(), freePort(), freePort()).gatewayPort(freePort()).tracingPorts(0, 0).ephemeral(true);
        options.freeReplicaPorts = true;
        return options;
    }

    /** Handed out by {@link #freePort()} in this JVM: never twice. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A port nobody listens on, chosen now and bound only when its component starts. Below Linux's ephemeral range
     * (32768-60999), where the components started with port 0 (Kafka, Connect, PostgreSQL ...) get theirs: a port
     * taken from that range now could be given to one of them before its own component binds it.
     */
    static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                if (HANDED_OUT.add(port)) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new UncheckedIOException(new IOException("No free port between 20000 and 32000 on 127.0.0.1"));
    }

    public SystemOptions infraPorts(int postgres, int kafka, int connect) {
        this.postgresPort = postgres;
        this.kafkaPort = kafka;
        this.connectPort = connect;
        return this;
    }

    public SystemOptions mariaDbPort(int port) {
        this.mariaDbPort = port;
        return this;
    }

    /** Keycloak's HTTP port (0 = a free one, chosen at start) and its management (health) port (0 = free). */
    public SystemOptions keycloakPorts(int http, int management) {
        this.keycloakPort = http;
        this.keycloakManagementPort = management;
        return this;
    }

    public SystemOptions servicePorts(int regRequest, int approval, int publisherView) {
        servicePorts.putAll(Map.of(REGREQUEST, regRequest, APPROVAL, approval, PUBLISHER_VIEW, publisherView));
        return this;
    }

    /** The trace UI's port (local default 9411, Zipkin's usual one) and the OTLP receiver's (14318); 0: free ones. */
    public SystemOptions tracingPorts(int ui, int otlp) {
        this.tracingPort = ui;
        this.otlpPort = otlp;
        return this;
    }

    /** The address the services listen on (default 127.0.0.1; 0.0.0.0 opens them to the network on purpose). */
    public SystemOptions serviceHost(String address) {
        this.serviceHost = address;
        return this;
    }

    /** The gateway's port (local default 8080). */
    public SystemOptions gatewayPort(int port) {
        this.gatewayPort = port;
        return this;
    }

    /** How many replicas of a service run (default 1). Replica 1 keeps the service's port. */
    public SystemOptions replicas(String service, int count) {
        checkService(service);
        if (count < 1) {
            throw new IllegalArgumentException(service + " needs at least 1 replica, not " + count);
        }
        replicas.put(service, count);
        return this;
    }

    int replicas(String service) {
        return replicas.getOrDefault(service, 1);
    }

    /**
     * Not started: the service runs outside the system (e.g. {@code ./mvnw quarkus:dev -pl <service>}) on its own
     * port, where the gateway routes its paths.
     */
    public SystemOptions except(String service) {
        checkService(service);
        excluded.add(service);
        return this;
    }

    /**
     * How long a service's readiness is DOWN after SIGTERM while it still serves (default 1 s: two of the
     * gateway's 500 ms readiness polls). 0 stops at once: requests the gateway sent meanwhile then fail.
     */
    public SystemOptions shutdownDelay(Duration delay) {
        this.shutdownDelay = delay;
        return this;
    }

    /** The shutdown delay the services' next starts get. */
    public Duration shutdownDelay() {
        return shutdownDelay;
    }

    private static void checkService(String service) {
        if (!SERVICES.contains(service)) {
            throw new IllegalArgumentException("Unknown service " + service + "; one of " + SERVICES);
        }
    }

    /** Tests: drop the replication slots on close. A local system keeps them with its data. */
    public SystemOptions ephemeral(boolean ephemeral) {
        this.ephemeral = ephemeral;
        return this;
    }

    /** Extra environment for one service (e.g. shorter timeouts in tests). */
    public SystemOptions env(String service, Map<String, String> env) {
        extraEnv.computeIfAbsent(service, k -> new LinkedHashMap<>()).putAll(env);
        return this;
    }
}
