package io.bookmarket.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keycloak 26 (the distribution from Maven Central, built once by infra/keycloak-runtime) as a separate JVM, storing
 * its data in the stack's PostgreSQL (database {@code keycloak}), with realm {@code bookmarket} ({@link Realm})
 * imported at its first start. The issuer is {@code http://127.0.0.1:<port>/realms/bookmarket} whatever host name a
 * caller uses. Tokens: {@link TokenClient}.
 */
public final class KeycloakServer implements Engine {

    public static final String COMPONENT = "Keycloak";
    public static final String DATABASE = "keycloak";
    private static final String HOME_RESOURCE = "keycloak-runtime.home";
    private static final String REALM_FILE = Realm.NAME + "-realm.json";
    /** Keycloak's own directories, shared by every server of this machine (read-only at run time). */
    private static final List<String> SHARED_DIRS = List.of("bin", "conf", "lib", "providers", "themes");

    private final ChildJvm jvm;
    private final int port;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private KeycloakServer(ChildJvm jvm, int port, int managementPort) {
        this.jvm = jvm;
        this.port = port;
        this.managementPort = managementPort;
    }

    /**
     * Starts Keycloak {@code --optimized} on the given ports (0 = any free port) and waits until its management
     * port answers {@code /health/ready}. The realm is imported unless the database has it already.
     */
    static KeycloakServer start(Path workDir, int wantedPort, int wantedManagementPort, PostgresServer postgres,
            Duration timeout) {
        Path logFile = workDir.resolve("logs/keycloak.log");
        int port = Ports.claim(wantedPort, COMPONENT, logFile);
        int managementPort = Ports.claim(wantedManagementPort, COMPONENT + " management interface", logFile);
        if (managementPort == port) {
            throw new StackStartException(COMPONENT, "cannot use port " + port + " for both HTTP and management", logFile);
        }
        Path home = instanceHome(workDir.resolve("keycloak/home"), logFile);
        postgres.createDatabase(DATABASE);
        List<String> jvmOptions = new ArrayList<>(List.of(
                // What bin/kc.sh of 26.7.3 passes, with the serial collector (two busy cores) in place of G1. kc.sh is
                // not used: the JVM starts through ParentWatch, so a killed test run leaves no Keycloak behind.
                "-Xms64m", "-Xmx512m", "-XX:MetaspaceSize=96M", "-XX:MaxMetaspaceSize=256m", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError", "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8",
                "-Dsun.err.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",
                "-Djava.security.egd=file:/dev/urandom", "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.base/java.security=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-Duser.language=en", "-Duser.country=US",
                // Keycloak refuses to start when the common pool was made before with another factory (ParentWatch
                // uses the pool to watch its parent).
                "-Djava.util.concurrent.ForkJoinPool.common.threadFactory=io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory",
                "-Dkc.home.dir=" + home,
                "-Djboss.server.config.dir=" + home.resolve("conf"),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Dpicocli.disable.closures=true",
                "-Dquarkus-log-max-startup-records=10000"));
        List<String> args = List.of("start", "--optimized",
                "--http-enabled=true",
                "--http-host=" + Ports.HOST,
                "--http-port=" + port,
                "--http-management-port=" + managementPort,
                // The issuer of every token, whatever host name a caller used.
                "--hostname=http://" + Ports.HOST + ":" + port,
                "--db-url=" + postgres.jdbcUrl(DATABASE),
                "--db-username=" + PostgresServer.USER,
                // The services' connections come first: PostgreSQL allows 300 in all.
                "--db-pool-max-size=10",
                // A single node: local caches, no cluster discovery (and no cluster port).
                "--cache=local",
                // The realm counts failed logins (brute-force detection); locally the test suites and the bench also
                // sign in one user from several threads at once, which the detector would otherwise refuse.
                "--spi-brute-force-protector-default-brute-force-detector-allow-concurrent-requests=true",
                "--import-realm");
        Map<String, String> env = new LinkedHashMap<>();
        // Creates the master realm's administrator at the first start only.
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", Realm.ADMIN_USER);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", Realm.ADMIN_PASSWORD);
        ChildJvm jvm = ChildJvm.start(COMPONENT, home.resolve("lib/quarkus-run.jar").toString(), env, jvmOptions,
                "io.quarkus.bootstrap.runner.QuarkusEntryPoint", args, logFile);
        KeycloakServer server = new KeycloakServer(jvm, port, managementPort);
        try {
            // Keycloak logs every DOWN answer: a coarse poll keeps its log readable.
            Readiness.await(jvm, timeout, server::ready, Duration.ofMillis(500));
        } catch (RuntimeException e) {
            // Interrupted (the stack is being closed): still an orderly stop, which waits for the process to end.
            boolean interrupted = Thread.interrupted();
            jvm.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        return server;
    }

    /**
     * A Keycloak home of this server's own: links to the built distribution's directories, and a data directory
     * (realm import, temporary files) that belongs to this stack, so stacks of one machine never share one.
     */
    private static Path instanceHome(Path home, Path logFile) {
        Path dist = distribution(logFile);
        try {
            Files.createDirectories(home.resolve("data/import"));
            for (String dir : SHARED_DIRS) {
                Path link = home.resolve(dir);
                if (Files.isSymbolicLink(link) && !Files.readSymbolicLink(link).equals(dist.resolve(dir))) {
                    Files.delete(link); // a distribution built in another place or version
                }
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, dist.resolve(dir));
                }
            }
            // The realm as built now; imported only while the database does not have it.
            Files.copy(dist.resolve("data/import").resolve(REALM_FILE), home.resolve("data/import").resolve(REALM_FILE),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StackStartException(COMPONENT, "could not prepare its home directory " + home.toAbsolutePath()
                    + ": " + e.getMessage(), logFile, e);
        }
        return home.toAbsolutePath();
    }

    /** The distribution that infra/keycloak-runtime unpacked and built at package time. */
    private static Path distribution(Path logFile) {
        String location;
        try (InputStream in = KeycloakServer.class.getResourceAsStream("/META-INF/bookmarket/" + HOME_RESOURCE)) {
            if (in == null) {
                throw new StackStartException(COMPONENT, "is not built: META-INF/bookmarket/" + HOME_RESOURCE
                        + " is missing (build infra/keycloak-runtime: ./mvnw package -pl infra/keycloak-runtime)", logFile);
            }
            location = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path dist = Path.of(location);
        if (!Files.isRegularFile(dist.resolve("lib/quarkus/bookmarket-build-options"))
                || !Files.isRegularFile(dist.resolve("data/import").resolve(REALM_FILE))) {
            throw new StackStartException(COMPONENT, "is not built: no built distribution with the realm at " + dist
                    + " (build infra/keycloak-runtime: ./mvnw package -pl infra/keycloak-runtime)", logFile);
        }
        return dist;
    }

    private boolean ready() throws IOException {
        try {
            return Ports.isOpen(managementPort) && http.send(HttpRequest.newBuilder(
                            URI.create("http://" + Ports.HOST + ":" + managementPort + "/health/ready"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the wait's next sleep ends the start
            return false;
        }
    }

    /** {@code http://127.0.0.1:<port>/realms/bookmarket}: the issuer of the realm's tokens, the services' OIDC_URL. */
    public String realmUrl() {
        return url() + "/realms/" + Realm.NAME;
    }

    public String url() {
        return "http://" + Ports.HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** Health ({@code /health/ready}) and metrics. */
    public int managementPort() {
        return managementPort;
    }

    public Path logFile() {
        return jvm.logFile;
    }

    public long pid() {
        return jvm.pid();
    }

    /** Simulates a crash (SIGKILL). */
    public void kill() {
        jvm.kill();
    }

    /** Orderly stop (SIGTERM, then SIGKILL after 20 s). */
    @Override
    public void close() {
        jvm.close();
    }
}
