package io.bookmarket.stack.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * For a service's @QuarkusIntegrationTest: SIGTERM to the packaged service while one of its requests is certainly in
 * flight (it waits for a row or table lock the test holds in the service's database). Records what a rolling update
 * relies on: readiness turns DOWN while requests are still served; after the shutdown delay no connection is kept for
 * new work (Quarkus answers a request that still arrives with {@code Connection: close} instead of refusing it, so a
 * kept-alive client reconnects to another replica; a refused connection or a 503 is as good); the request in flight
 * completes once the lock is released; the process exits.
 */
public final class GracefulShutdown {

    /** What happened; statuses are HTTP statuses, {@link #REFUSED} when the connection was refused or reset. */
    public record Outcome(int readinessAfterSigterm, int servedDuringDelay, int newRequestAfterDelay,
                          boolean connectionClosedAfterDelay, int inFlight, boolean exited, long readinessDownMs, long exitMs) {

        /** The expectations this outcome breaks; empty when the shutdown was graceful. */
        public java.util.List<String> broken() {
            java.util.List<String> broken = new java.util.ArrayList<>();
            if (readinessAfterSigterm != 503) {
                broken.add("readiness did not turn DOWN within the delay (" + readinessAfterSigterm + ")");
            }
            if (servedDuringDelay != 200) {
                broken.add("a request during the delay was not served (" + servedDuringDelay + ")");
            }
            if (newRequestAfterDelay != 503 && newRequestAfterDelay != REFUSED && !connectionClosedAfterDelay) {
                broken.add("a new request after the delay was answered " + newRequestAfterDelay + " on a connection kept open");
            }
            if (inFlight < 200 || inFlight > 299) {
                broken.add("the request in flight did not complete (" + inFlight + ")");
            }
            if (!exited) {
                broken.add("the process did not exit");
            }
            return broken;
        }
    }

    public static final int REFUSED = -1;

    /** HTTP/1.1: over HTTP/2 (h2c) Quarkus signals the shutdown with GOAWAY, which has no header to read. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private GracefulShutdown() {
    }

    /**
     * @param service     the service's name, as in its runner jar's path (finds the launched process)
     * @param base        its URL
     * @param database    a connection to its database; {@code lockSql} runs in a transaction on it
     * @param inFlight    the request that the lock holds
     * @param served      a request answered during the shutdown delay (expected 200)
     * @param delay       the service's shutdown delay (quarkus.shutdown.delay)
     */
    public static Outcome sigtermWithARequestInFlight(String service, URI base, Connection database, String lockSql,
            HttpRequest inFlight, HttpRequest served, Duration delay) throws Exception {
        ProcessHandle app = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains(service)
                        && (c.contains("quarkus-run.jar") || c.contains("-runner"))).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("the launched " + service + " process is not found"));
        database.setAutoCommit(false);
        try (Statement s = database.createStatement()) {
            s.execute(lockSql);
        }
        CompletableFuture<HttpResponse<Void>> held = HTTP.sendAsync(inFlight, HttpResponse.BodyHandlers.discarding());
        awaitLockWait(database, held);

        long sigterm = System.nanoTime();
        app.destroy();
        URI ready = base.resolve("/q/health/ready");
        int readiness = 0;
        long deadline = sigterm + delay.toNanos();
        while (System.nanoTime() < deadline && (readiness = status(HttpRequest.newBuilder(ready).build())) != 503) {
            Thread.sleep(50);
        }
        long readinessDown = System.nanoTime();
        int duringDelay = status(served);
        // Past the delay (and a margin): the service is in its shutdown, new work is refused.
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(sigterm + delay.toNanos() - System.nanoTime())) + 1000);
        HttpResponse<Void> afterDelay = answer(served);
        database.rollback();
        int heldStatus;
        try {
            heldStatus = held.get(30, TimeUnit.SECONDS).statusCode();
        } catch (Exception e) {
            heldStatus = REFUSED;
        }
        boolean exited = !app.onExit().get(40, TimeUnit.SECONDS).isAlive();
        return new Outcome(readiness, duringDelay, afterDelay == null ? REFUSED : afterDelay.statusCode(),
                afterDelay != null && afterDelay.headers().firstValue("Connection").filter("close"::equalsIgnoreCase).isPresent(),
                heldStatus, exited,
                TimeUnit.NANOSECONDS.toMillis(readinessDown - sigterm), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm));
    }

    /** Until the database shows a session of another connection waiting for a lock (the held request). */
    private static void awaitLockWait(Connection database, CompletableFuture<?> held) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (held.isDone()) {
                throw new AssertionError("the request was not held by the lock: it completed with " + held.get());
            }
            try (Statement s = database.createStatement(); ResultSet rs = s.executeQuery(lockWaits(database))) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the database's sessions", e);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the request never waited for the lock");
    }

    /** Sessions of other connections waiting for a lock on this database. */
    private static String lockWaits(Connection database) throws SQLException {
        if (database.getMetaData().getDatabaseProductName().contains("MariaDB")) {
            // The service connects as the same user, so its sessions are visible without the PROCESS privilege;
            // a statement running for 200 ms in this test is one waiting for the lock held above.
            return """
                    SELECT count(*) FROM information_schema.processlist
                    WHERE command = 'Query' AND db = database() AND id <> connection_id() AND time_ms > 200""";
        }
        return """
                SELECT count(*) FROM pg_stat_activity
                WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()""";
    }

    private static int status(HttpRequest request) throws InterruptedException {
        HttpResponse<Void> response = answer(request);
        return response == null ? REFUSED : response.statusCode();
    }

    /** The response, or null when the connection was refused or reset. */
    private static HttpResponse<Void> answer(HttpRequest request) throws InterruptedException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            return null;
        }
    }
}
