package io.bookmarket.launcher;

import io.bookmarket.stack.Realm;
import io.bookmarket.stack.MariaDbServer;
import io.bookmarket.stack.QuarkusApp;
import io.bookmarket.stack.StackStartException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * Runs the whole system locally until Ctrl-C. Data and logs live in BOOKMARKET_HOME (default .bookmarket/ in
 * the repository), which survives restarts. Started by {@code infra/run.sh [--except <service>]}.
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path repoRoot = Path.of(System.getProperty("bookmarket.repo", ".")).toAbsolutePath().normalize();
        Path home = Path.of(env("BOOKMARKET_HOME", repoRoot.resolve(".bookmarket").toString())).toAbsolutePath();
        SystemOptions options = new SystemOptions(repoRoot, home)
                .infraPorts(intEnv("BOOKMARKET_POSTGRES_PORT", 15432), intEnv("BOOKMARKET_KAFKA_PORT", 19092),
                        intEnv("BOOKMARKET_CONNECT_PORT", 18083))
                .mariaDbPort(intEnv("BOOKMARKET_MARIADB_PORT", 13306))
                .keycloakPorts(intEnv("BOOKMARKET_KEYCLOAK_PORT", 18180), intEnv("BOOKMARKET_KEYCLOAK_MANAGEMENT_PORT", 18190))
                .servicePorts(8085, 8086, 8087)
                .gatewayPort(intEnv("BOOKMARKET_GATEWAY_PORT", 8080))
                .tracingPorts(intEnv("BOOKMARKET_TRACING_PORT", 9411), intEnv("BOOKMARKET_OTLP_PORT", 14318))
                .serviceHost(env("BOOKMARKET_SERVICE_HOST", "127.0.0.1"));
        Map<String, Integer> replicas;
        Set<String> except;
        try {
            replicas = replicas(env("BOOKMARKET_REPLICAS", ""));
            except = except(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("Usage: infra/run.sh [--except <service>]...   (services: " + String.join(", ", LocalSystem.SERVICES) + ")");
            System.err.println("       BOOKMARKET_REPLICAS=regrequest-service=3,approval-service=2 sets replicas per service");
            System.exit(2);
            return;
        }
        replicas.forEach(options::replicas);
        except.forEach(options::except);
        System.out.println("Book Market: starting PostgreSQL, MariaDB, Kafka, Kafka Connect, Keycloak, the trace UI, the gateway and the services ("
                + LocalSystem.SERVICES.stream().filter(s -> !except.contains(s)).map(s -> s + " x" + replicas.get(s))
                        .collect(Collectors.joining(", ")) + ")");
        System.out.println("  data and logs: " + home);
        long begin = System.nanoTime();
        LocalSystem system;
        try {
            system = LocalSystem.start(options);
        } catch (StackStartException e) {
            System.err.println("\nCould not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping Book Market (services, gateway, Kafka Connect, Keycloak, Kafka, MariaDB, PostgreSQL, trace UI) ...");
            system.close();
            System.out.println("Stopped. Data kept in " + home);
            stopped.countDown();
        }, "bookmarket-stop"));
        StringBuilder services = new StringBuilder();
        for (String service : LocalSystem.SERVICES) {
            String urls = except.contains(service)
                    ? system.url(service) + "   not started here (--except): ./mvnw quarkus:dev -pl " + service
                    : system.replicas(service).stream().map(QuarkusApp::url).collect(Collectors.joining(", "))
                            + "   (" + ROLES.get(service) + ")";
            services.append(String.format("  %-19s %s%n", service, urls));
        }
        int gw = system.gateway().port();
        System.out.printf("""

                Book Market is up (%d s). Press Ctrl-C to stop; data stays in %s

                  pages               %s/   (sign in as a publisher or as the reviewer, in a browser)
                  gateway             %s   (/regRequests, /regrequests, /approves, /publpages: round robin over ready replicas)
                %s\
                  Swagger UI          <service>/q/swagger-ui     health: <service>/q/health
                  Keycloak            %s   (sign-in; admin console %s/admin, user %s, password %s)
                  traces              %s   (Zipkin; every answer's X-Trace-Id header names its trace)
                  demo users          publisher100, publisher200 (publishers 100 and 200), reviewer, admin
                                      (password = user name; infra/token.sh <user> prints an access token)
                  Kafka %s   Kafka Connect %s
                  PostgreSQL %s (user postgres)   MariaDB %s (user %s, password %s)
                  logs                %s

                Try it through the gateway (every call needs a token; tokens live 5 minutes):
                  P=$(infra/token.sh publisher100); R=$(infra/token.sh reviewer)
                  http POST :%d/regRequests "Authorization:Bearer $P" bookId=99 bookNm=mybook publId=100
                  curl -s -H "Authorization: Bearer $R" localhost:%d/approves                # the review queue
                  http PATCH :%d/approves/1 "Authorization:Bearer $R" appYn=Approved         # approve ticket 1
                  curl -s -H "Authorization: Bearer $P" localhost:%d/regRequests/1           # regYn is now Approved
                  curl -s -H "Authorization: Bearer $P" 'localhost:%d/publpages?publId=100'  # the publisher's view
                  http DELETE :%d/regRequests/1 "Authorization:Bearer $P"                    # cancel: the review is cancelled too
                """, Duration.ofNanos(System.nanoTime() - begin).toSeconds(), home,
                system.gatewayUrl(), system.gatewayUrl(), services,
                system.realmUrl(), system.keycloak().url(), Realm.ADMIN_USER, Realm.ADMIN_PASSWORD,
                system.tracing().url(),
                system.stack().kafka().bootstrapServers(), system.stack().connect().url(),
                "127.0.0.1:" + system.stack().postgres().port(), "127.0.0.1:" + system.stack().mariaDb().port(),
                MariaDbServer.USER, MariaDbServer.PASSWORD, home.resolve("logs"), gw, gw, gw, gw, gw, gw);
        stopped.await();
    }

    private static final Map<String, String> ROLES = Map.of(
            LocalSystem.REGREQUEST, "publishers file and cancel requests",
            LocalSystem.APPROVAL, "the product team's review queue",
            LocalSystem.PUBLISHER_VIEW, "publishers see their requests' status");

    /**
     * Replicas per service: 2 of regrequest-service (the service publishers call), 1 of the others, unless
     * BOOKMARKET_REPLICAS says otherwise ({@code regrequest-service=3,approval-service=2}).
     */
    static Map<String, Integer> replicas(String spec) {
        Map<String, Integer> replicas = new LinkedHashMap<>();
        LocalSystem.SERVICES.forEach(service -> replicas.put(service, service.equals(LocalSystem.REGREQUEST) ? 2 : 1));
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.trim().split("=", 2);
            if (parts.length != 2 || !LocalSystem.SERVICES.contains(parts[0].trim()) || !parts[1].trim().matches("[1-9][0-9]?")) {
                throw new IllegalArgumentException("BOOKMARKET_REPLICAS: \"" + entry.trim() + "\" is not <service>=<1..99>");
            }
            replicas.put(parts[0].trim(), Integer.parseInt(parts[1].trim()));
        }
        return replicas;
    }

    /** {@code --except <service>} (repeatable): services that run outside, e.g. in dev mode. */
    static Set<String> except(String[] args) {
        Set<String> except = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].equals("--except") || i + 1 == args.length) {
                throw new IllegalArgumentException("Unknown argument: " + String.join(" ", args));
            }
            String service = args[++i];
            if (!LocalSystem.SERVICES.contains(service)) {
                throw new IllegalArgumentException("--except " + service + ": no such service");
            }
            except.add(service);
        }
        return except;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static int intEnv(String name, int fallback) {
        return Integer.parseInt(env(name, Integer.toString(fallback)));
    }
}
