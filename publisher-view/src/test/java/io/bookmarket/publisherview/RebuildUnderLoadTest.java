package io.bookmarket.publisherview;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rebuild while another one runs, and a rebuild while live events keep arriving. Request ids of this class:
 * 600-799. A test holds the rebuild while it clears the view (it waits for a lock the test takes on processed_event), so
 * "while it runs" is certain, not a matter of timing.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "publisherview"))
@QuarkusTestResource(OidcServer.class)
class RebuildUnderLoadTest {

    private static final String REBUILD = "/publpages/admin/rebuild";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aSecondRebuildWhileOneRunsIsRefusedWith409() throws Exception {
        try (Connection lock = Events.db()) {
            CompletableFuture<Integer> first = holdRebuild(lock);
            Response second = Callers.asAdmin().post(REBUILD);
            assertThat(second.statusCode()).isEqualTo(409);
            assertThat(second.contentType()).startsWith("application/problem+json");
            assertThat(second.<String>path("type")).isEqualTo("urn:bookmarket:problem:rebuild-running");
            lock.rollback();
            assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the first rebuild").isEqualTo(200);
        }
        // Once it finished, a rebuild may run again.
        Callers.asAdmin().post(REBUILD).then().statusCode(200);
    }

    /**
     * The guard is the database's, not this process's: while another session (another replica) holds the rebuild
     * lock, a rebuild here is refused, and runs once it is released.
     */
    @Test
    void aRebuildIsRefusedWhileAnotherReplicaHoldsTheRebuildLock() throws Exception {
        try (Connection otherReplica = Events.db(); Statement s = otherReplica.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + io.bookmarket.publisherview.service.ViewRebuild.LOCK + ")");
            Response refused = Callers.asAdmin().post(REBUILD);
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(refused.<String>path("type")).isEqualTo("urn:bookmarket:problem:rebuild-running");
            s.execute("SELECT pg_advisory_unlock(" + io.bookmarket.publisherview.service.ViewRebuild.LOCK + ")");
        }
        Callers.asAdmin().post(REBUILD).then().statusCode(200);
    }

    @Test
    void aRebuildWhileEventsKeepArrivingEndsAsARebuildOnAQuietSystem() throws Exception {
        Instant t = Instant.parse("2026-11-24T12:00:00Z");
        for (long reqId = 601; reqId <= 620; reqId++) {
            Events.send(Events.request("RegRequested", reqId, 6001, reqId, bookNm(reqId), t));
        }
        await().atMost(WAIT).until(() -> Events.row(620) != null);
        try (Connection lock = Events.db()) {
            CompletableFuture<Integer> rebuild = holdRebuild(lock);
            // While it waits: new requests and changes to old ones (the live consumer waits too).
            sendLive(621, 640, t);
            lock.rollback();
            // While it replays: more of them.
            sendLive(641, 660, t);
            assertThat(rebuild.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);
        }
        // The last event of each topic: 640's cancellation (RegRequest) and 660's approval (Approve).
        await().atMost(WAIT).until(() -> "ReqCanceled".equals(Events.row(640).get(3))
                && Events.row(660) != null && "Approved".equals(Events.row(660).get(4)));
        List<List<Object>> live = Events.rows(RebuildTest.KAFKA_ROWS);
        assertThat(Events.count("SELECT count(*) FROM publpage WHERE req_id BETWEEN 601 AND 660")).isEqualTo(60);

        Callers.asAdmin().post(REBUILD).then().statusCode(200);
        assertThat(Events.rows(RebuildTest.KAFKA_ROWS)).as("the view after a rebuild on a quiet system").isEqualTo(live);
    }

    /** New requests {@code from..to}, each approved, and one older request cancelled per new one. */
    private static void sendLive(long from, long to, Instant t) {
        for (long reqId = from; reqId <= to; reqId++) {
            Events.send(Events.request("RegRequested", reqId, 6001, reqId, bookNm(reqId), t.plusSeconds(1)),
                    Events.review("Approved", 600 + reqId, reqId, 6001, t.plusSeconds(2)),
                    Events.request("ReqCanceled", reqId - 20, 6001, reqId - 20, bookNm(reqId - 20), t.plusSeconds(3)));
        }
    }

    /** A request's book, the same in all its events (as regrequest-service sends them). */
    private static String bookNm(long reqId) {
        return (reqId <= 620 ? "Before " : "Live ") + reqId;
    }

    /**
     * Starts a rebuild and returns once it waits, clearing the view, for the lock {@code lock} holds on processed_event
     * (released by {@code lock.rollback()}); the future completes with the rebuild's HTTP status.
     */
    private static CompletableFuture<Integer> holdRebuild(Connection lock) throws Exception {
        lock.setAutoCommit(false);
        try (Statement s = lock.createStatement()) {
            s.execute("LOCK TABLE processed_event IN ACCESS EXCLUSIVE MODE");
        }
        CompletableFuture<Integer> rebuild = CompletableFuture.supplyAsync(() -> Callers.asAdmin().post(REBUILD).statusCode());
        // It clears the view in one transaction: counts (then truncates) processed_event, and waits at the first step.
        await().atMost(WAIT).until(() -> Events.count("""
                SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                AND (query LIKE 'SELECT count(*) FROM processed_event%' OR query LIKE 'TRUNCATE%')""") == 1);
        return rebuild;
    }
}
