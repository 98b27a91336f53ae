package io.bookmarket.launcher;

import io.bookmarket.stack.KeycloakServer;
import io.bookmarket.stack.MariaDbServer;
import io.bookmarket.stack.StackStartException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the whole system locally until Ctrl-C. Data and logs live in BOOKMARKET_HOME (default .bookmarket/ in
 * the repository), which survives restarts. Started by {@code infra/run.sh}.
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path repoRoot = Path.of(System.getProperty("bookmarket.repo", ".")).toAbsolutePath().normalize();
        Path home = Path.of(env("BOOKMARKET_HOME", repoRoot.resolve(".bookmarket").toString())).toAbsolutePath();
        LocalSystem.Options options = new LocalSystem.Options(repoRoot, home)
                .infraPorts(intEnv("BOOKMARKET_POSTGRES_PORT", 15432), intEnv("BOOKMARKET_KAFKA_PORT", 19092),
                        intEnv("BOOKMARKET_CONNECT_PORT", 18083))
                .mariaDbPort(intEnv("BOOKMARKET_MARIADB_PORT", 13306))
                .keycloakPorts(intEnv("BOOKMARKET_KEYCLOAK_PORT", 18180), intEnv("BOOKMARKET_KEYCLOAK_MANAGEMENT_PORT", 18190))
                .servicePorts(8085, 8086, 8087);
        System.out.println("Book Market: starting PostgreSQL, MariaDB, Kafka, Kafka Connect, Keycloak and the three services");
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
            System.out.println("\nStopping Book Market (services, Kafka Connect, Keycloak, Kafka, MariaDB, PostgreSQL) ...");
            system.close();
            System.out.println("Stopped. Data kept in " + home);
            stopped.countDown();
        }, "bookmarket-stop"));
        System.out.printf("""

                Book Market is up (%d s). Press Ctrl-C to stop; data stays in %s

                  regrequest-service  %s   (publishers file and cancel requests)
                  approval-service    %s   (the product team's review queue)
                  publisher-view      %s   (publishers see their requests' status)
                  Swagger UI          <service>/q/swagger-ui     health: <service>/q/health
                  Keycloak            %s   (sign-in; admin console %s/admin, user %s, password %s)
                  demo users          publisher100, publisher200 (publishers 100 and 200), reviewer, admin
                                      (password = user name; infra/token.sh <user> prints an access token)
                  Kafka %s   Kafka Connect %s
                  PostgreSQL %s (user postgres)   MariaDB %s (user %s, password %s)
                  logs                %s

                Try it (every call but the health checks needs a token; tokens live 5 minutes):
                  P=$(infra/token.sh publisher100); R=$(infra/token.sh reviewer)
                  http POST :8085/regRequests "Authorization:Bearer $P" bookId=99 bookNm=mybook publId=100
                  curl -s -H "Authorization: Bearer $R" localhost:8086/approves                # the review queue
                  http PATCH :8086/approves/1 "Authorization:Bearer $R" appYn=Approved         # approve ticket 1
                  curl -s -H "Authorization: Bearer $P" localhost:8085/regRequests/1           # regYn is now Approved
                  curl -s -H "Authorization: Bearer $P" 'localhost:8087/publpages?publId=100'  # the publisher's view
                  http DELETE :8085/regRequests/1 "Authorization:Bearer $P"                    # cancel: the review is cancelled too
                """, Duration.ofNanos(System.nanoTime() - begin).toSeconds(), home,
                system.url(LocalSystem.REGREQUEST), system.url(LocalSystem.APPROVAL), system.url(LocalSystem.PUBLISHER_VIEW),
                system.realmUrl(), system.keycloak().url(), KeycloakServer.ADMIN_USER, KeycloakServer.ADMIN_PASSWORD,
                system.stack().kafka().bootstrapServers(), system.stack().connect().url(),
                "127.0.0.1:" + system.stack().postgres().port(), "127.0.0.1:" + system.stack().mariaDb().port(),
                MariaDbServer.USER, MariaDbServer.PASSWORD, home.resolve("logs"));
        stopped.await();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static int intEnv(String name, int fallback) {
        return Integer.parseInt(env(name, Integer.toString(fallback)));
    }
}
