package io.bookmarket.publisherview;

import io.bookmarket.contracts.Contracts;
import io.bookmarket.publisherview.Events.Event;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The view rebuilt from the topics, from offset zero, ends identical. Request ids of this class: 400-499; the
 * comparison covers every row that came through Kafka (all request ids below 1,000,000), whichever test sent it.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "publisherview"))
@QuarkusTestResource(OidcServer.class)
class RebuildTest {

    static final String KAFKA_ROWS = """
            SELECT req_id, publ_id, book_id, book_nm, reg_yn, app_yn, status, approve_id, last_event_at
            FROM publpage WHERE req_id < 1000000 ORDER BY req_id""";

    @Test
    void rebuildingFromOffsetZeroEndsInTheSameView() {
        Instant t = Instant.parse("2026-11-24T11:00:00Z");
        Event approved = Events.review("Approved", 41, 401, 4001, t.plusSeconds(2));
        Events.send(approved, Events.review("AppCanceled", 42, 402, 4001, t.plusSeconds(4)));
        for (long reqId = 401; reqId <= 410; reqId++) {
            Events.send(Events.request("RegRequested", reqId, 4001, reqId, "Book " + reqId, t.plusSeconds(1)));
        }
        Events.send(Events.request("ReqCanceled", 402, 4001, 402, "Book 402", t.plusSeconds(3)), approved);
        Events.sendRaw(Contracts.REGREQUEST_TOPIC, "poison-" + UUID.randomUUID(), UUID.randomUUID().toString(),
                "RegRequested", "not json at all");
        // Markers last on both topics: once applied, all of the above was consumed.
        Events.send(Events.request("RegRequested", 499, 4001, 499, "Marker", t.plusSeconds(9)),
                Events.review("Approved", 49, 498, 4001, t.plusSeconds(9)));
        await().atMost(Duration.ofSeconds(30)).until(() -> Events.row(499) != null && Events.row(498) != null);
        assertThat(Events.row(402)).containsExactly(4001L, 402L, "Book 402", "ReqCanceled", "AppCanceled",
                "ReqCanceled", 42L, Timestamp.from(t.plusSeconds(4)));
        // Rows written directly (other test classes) never came through the topics: the rebuild drops them.
        Events.rows("""
                INSERT INTO publpage (req_id, status, created_at, updated_at, last_event_at)
                VALUES (5000000, 'RegRequested', now(), now(), now()) ON CONFLICT DO NOTHING RETURNING req_id""");

        List<List<Object>> before = Events.rows(KAFKA_ROWS);
        long eventsBefore = Events.count("SELECT count(*) FROM processed_event");
        Timestamp rebuildStart = (Timestamp) Events.rows("SELECT now()").get(0).get(0);

        JsonPath report = Callers.asAdmin().post("/publpages/admin/rebuild").then().statusCode(200).extract().jsonPath();
        System.out.println("Rebuild report: " + report.prettify());

        assertThat(report.getLong("rowsCleared")).isGreaterThan(before.size());
        assertThat(report.getLong("duplicatesSkipped")).isPositive();
        assertThat(report.getLong("poisonSkipped")).isPositive();
        assertThat(Events.rows(KAFKA_ROWS)).isEqualTo(before);
        assertThat(Events.count("SELECT count(*) FROM publpage WHERE req_id >= 1000000")).isZero();
        // Every row was written again by the replay, not left over.
        assertThat(Events.count("SELECT count(*) FROM publpage WHERE updated_at < ?", rebuildStart)).isZero();
        // Each event applied once again: the processed-event log holds exactly the events that came through Kafka.
        assertThat(Events.count("SELECT count(*) FROM processed_event")).isEqualTo(report.getLong("eventsApplied"));
        assertThat(report.getLong("eventsApplied")).isLessThanOrEqualTo(eventsBefore);
    }
}
