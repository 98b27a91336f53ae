package io.bookmarket.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Keycloak 26 (the distribution from Maven Central, built once by infra/keycloak-runtime) as a separate JVM, storing
 * its data in the stack's PostgreSQL (database {@code keycloak}), with realm {@code bookmarket} imported at its first
 * start. The issuer is {@code http://127.0.0.1:<port>/realms/bookmarket} whatever host name a caller uses.
 *
 * <p>Also the token helpers of the suites: password grants for the demo users (cached per user, renewed 30 s before
 * they expire, safe to call from many threads), other clients' tokens, client credentials and a master-realm token.
 */
public final class KeycloakServer implements AutoCloseable {

    public static final String COMPONENT = "Keycloak";
    public static final String REALM = "bookmarket";
    /** The public client of people and suites (password grant; password = user name for the demo users). */
    public static final String CLI_CLIENT = "bookmarket-cli";
    /** Tokens expire 2 s after they are issued. */
    public static final String SHORT_LIVED_CLIENT = "short-lived";
    /** Tokens without the audience {@code bookmarket}. */
    public static final String OTHER_APP_CLIENT = "other-app";
    public static final String REGREQUEST_CLIENT = "regrequest-service";
    /** Local only; everywhere else the secret comes from a Secret or the environment. */
    public static final String REGREQUEST_SECRET = "regrequest-service-local-secret";
    /** The pages' confidential client (authorization code flow with PKCE), used by regrequest-service and approval-service. */
    public static final String WEB_CLIENT = "bookmarket-web";
    /** Local only, as {@link #REGREQUEST_SECRET}. At least 32 characters: Quarkus encrypts the session cookie with it. */
    public static final String WEB_SECRET = "bookmarket-web-local-secret-0123456789abcdef";
    /** The master realm's bootstrap administrator (local only). */
    public static final String ADMIN_USER = "kcadmin";
    public static final String ADMIN_PASSWORD = "kcadmin";
    public static final String DATABASE = "keycloak";
    public static final List<String> DEMO_USERS = List.of("publisher100", "publisher200", "reviewer", "admin");
    /** A cached token is renewed when it would expire within this margin. */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(30);

    private static final String HOME_RESOURCE = "keycloak-runtime.home";
    private static final String REALM_FILE = REALM + "-realm.json";
    /** Keycloak's own directories, shared by every server of this machine (read-only at run time). */
    private static final List<String> SHARED_DIRS = List.of("bin", "conf", "lib", "providers", "themes");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChildJvm jvm;
    private final int port;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();
    /** Tests move it forward to see a cached token renewed. */
    volatile Clock clock = Clock.systemUTC();

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
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
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

    /** An access token of a user through {@value #CLI_CLIENT} (password = user name), cached until 30 s before it expires. */
    public String token(String user) {
        return tokens.computeIfAbsent(user, CachedToken::new).get();
    }

    /** An access token of a user (password = user name) through another public client, e.g. {@value #SHORT_LIVED_CLIENT}; never cached. */
    public String token(String clientId, String user) {
        return passwordGrant(REALM, clientId, user, user).token();
    }

    /** An access token of a confidential client's service account (client credentials grant); never cached. */
    public String clientToken(String clientId, String secret) {
        return grant(REALM, clientId, Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", secret)).token();
    }

    /** A token of the master realm's administrator: a valid token from the wrong issuer for the services. */
    public String masterAdminToken() {
        return passwordGrant("master", "admin-cli", ADMIN_USER, ADMIN_PASSWORD).token();
    }

    private Grant passwordGrant(String realm, String clientId, String user, String password) {
        return grant(realm, clientId, Map.of("grant_type", "password", "client_id", clientId, "username", user,
                "password", password));
    }

    private Grant grant(String realm, String clientId, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        Instant asked = clock.instant();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(url() + "/realms/" + realm + "/protocol/openid-connect/token"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(COMPONENT + " refused a token (realm " + realm + ", client " + clientId
                        + (form.containsKey("username") ? ", user " + form.get("username") : "") + "): HTTP "
                        + response.statusCode() + " " + response.body());
            }
            JsonNode json = JSON.readTree(response.body());
            return new Grant(json.path("access_token").asText(), asked.plusSeconds(json.path("expires_in").asLong()));
        } catch (IOException e) {
            throw new IllegalStateException(COMPONENT + " at " + url() + " could not be asked for a token: " + e
                    + " (log: " + jvm.logFile.toAbsolutePath() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while asking " + COMPONENT + " for a token", e);
        }
    }

    private record Grant(String token, Instant expires) {
    }

    /** One user's token: read without locking while fresh; one thread renews it while the others wait for it. */
    private final class CachedToken {
        private final String user;
        private volatile Grant grant;

        CachedToken(String user) {
            this.user = user;
        }

        String get() {
            Grant current = grant;
            if (current != null && fresh(current)) {
                return current.token();
            }
            synchronized (this) {
                if (grant == null || !fresh(grant)) {
                    grant = passwordGrant(REALM, CLI_CLIENT, user, user);
                }
                return grant.token();
            }
        }

        private boolean fresh(Grant g) {
            return clock.instant().plus(RENEW_BEFORE_EXPIRY).isBefore(g.expires());
        }
    }

    /** {@code http://127.0.0.1:<port>/realms/bookmarket}: the issuer of the realm's tokens, the services' OIDC_URL. */
    public String realmUrl() {
        return url() + "/realms/" + REALM;
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
