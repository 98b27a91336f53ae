package io.bookmarket.publisherview;

import io.bookmarket.contracts.Contracts;
import io.bookmarket.publisherview.Events.Event;
import io.bookmarket.publisherview.service.PublpageProjection;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.stack.testing.TestRelay;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * Through the real broker: records produced as the relay does, consumed by the two channels. Request ids of this
 * class: 100-399.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "publisherview"))
@QuarkusTestResource(OidcServer.class)
class KafkaEventsTest {

    @Inject
    PublpageProjection projection;

    @Test
    void handlesExactlyTheEventTypesBothTopicsContractsName() {
        assertThat(projection.requestEvents().types()).isEqualTo(Contracts.eventTypes(Contracts.REGREQUEST_TOPIC));
        assertThat(projection.reviewEvents().types()).isEqualTo(Contracts.eventTypes(Contracts.APPROVE_TOPIC));
    }

    static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void sequencesOnBothTopicsEndInTheRowsTheyDescribe() {
        Instant t = Instant.parse("2026-11-24T09:00:00Z");
        // Review events produced before the request's own: the original's view dropped them.
        Events.send(
                Events.review("Approved", 11, 101, 1001, t.plusSeconds(2)),
                Events.review("AppCanceled", 11, 101, 1001, t.plusSeconds(4)),
                Events.review("Rejected", 12, 102, 1001, t.plusSeconds(2)));
        Events.send(
                Events.request("ReqCanceled", 101, 1001, 55, "Cancelled book", t.plusSeconds(3)),
                Events.request("RegRequested", 101, 1001, 55, "Cancelled book", t.plusSeconds(1)),
                Events.request("RegRequested", 102, 1001, 56, "Rejected book", t.plusSeconds(1)),
                Events.request("RegRequested", 103, 1002, 57, "Waiting book", t.plusSeconds(1)));

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(Events.row(101)).containsExactly(1001L, 55L, "Cancelled book", "ReqCanceled", "AppCanceled",
                    "ReqCanceled", 11L, Timestamp.from(t.plusSeconds(4)));
            assertThat(Events.row(102)).containsExactly(1001L, 56L, "Rejected book", "RegRequested", "Rejected",
                    "Rejected", 12L, Timestamp.from(t.plusSeconds(2)));
            assertThat(Events.row(103)).containsExactly(1002L, 57L, "Waiting book", "RegRequested", "RegRequested",
                    "RegRequested", null, Timestamp.from(t.plusSeconds(1)));
        });

        // A figure, not an assertion: produce -> row visible through the consumer, on this machine.
        long sent = System.nanoTime();
        Events.send(Events.request("RegRequested", 104, 1002, 58, "Timed book", Instant.now()));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> Events.row(104) != null);
        System.out.printf("One event from produce to visible row: %d ms%n", (System.nanoTime() - sent) / 1_000_000);

        // Applied changes are timed: publpage.event.lag per event type, at /q/metrics.
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("publpage_event_lag_seconds_count{eventType=\"Approved\""))
                .body(containsString("publpage_event_lag_seconds_count{eventType=\"RegRequested\""));
    }

    /**
     * A reviewer's rejection racing the publisher's cancel, each event through its real topic and applied before the
     * next one is produced, in the orders the two consumers can see them: the rejection before or after the cancel,
     * and approval-service's AppCanceled (its answer to the ReqCanceled) before or after the ReqCanceled itself. Every
     * order ends ReqCanceled, as regrequest-service does. Without a cancel (regrequest-service refused the DELETE:
     * the rejection reached it first) the view shows Rejected, as the other two services do.
     */
    @Test
    void aRejectionRacingTheCancelEndsCancelledInEveryOrder() {
        Instant t = Instant.parse("2026-11-24T09:30:00Z");
        Map<Long, List<Event>> orders = new java.util.LinkedHashMap<>();
        orders.put(111L, List.of(filed(111, t), rejected(41, 111, t.plusSeconds(2)), canceled(111, t.plusSeconds(3)),
                reviewCanceled(41, 111, t.plusSeconds(4))));
        orders.put(112L, List.of(filed(112, t), canceled(112, t.plusSeconds(2)), rejected(42, 112, t.plusSeconds(3)),
                reviewCanceled(42, 112, t.plusSeconds(4))));
        orders.put(113L, List.of(filed(113, t), rejected(43, 113, t.plusSeconds(2)), reviewCanceled(43, 113, t.plusSeconds(4)),
                canceled(113, t.plusSeconds(3))));
        orders.put(114L, List.of(canceled(114, t.plusSeconds(3)), reviewCanceled(44, 114, t.plusSeconds(4)),
                rejected(44, 114, t.plusSeconds(2)), filed(114, t)));
        orders.forEach((reqId, events) -> {
            List<String> seen = new java.util.ArrayList<>();
            for (Event e : events) {
                Events.send(e);
                await().atMost(WAIT).until(() -> Events.count("SELECT count(*) FROM processed_event WHERE event_id = ?", e.eventId()) == 1);
                seen.add(e.type() + " -> " + Events.row(reqId).get(5));
            }
            System.out.printf("Request %d: %s%n", reqId, seen);
            assertThat(Events.row(reqId)).as("after %s", seen).containsExactly(1101L, reqId - 30, "Raced book", "ReqCanceled",
                    "AppCanceled", "ReqCanceled", reqId - 70, Timestamp.from(t.plusSeconds(4)));
        });

        Event rejectedOnly = rejected(45, 115, t.plusSeconds(2));
        for (Event e : List.of(filed(115, t), rejectedOnly)) {
            Events.send(e);
            await().atMost(WAIT).until(() -> Events.count("SELECT count(*) FROM processed_event WHERE event_id = ?", e.eventId()) == 1);
        }
        assertThat(Events.row(115)).containsExactly(1101L, 85L, "Raced book", "RegRequested", "Rejected", "Rejected", 45L,
                Timestamp.from(t.plusSeconds(2)));
    }

    private static Event filed(long reqId, Instant at) {
        return Events.request("RegRequested", reqId, 1101, reqId - 30, "Raced book", at);
    }

    private static Event canceled(long reqId, Instant at) {
        return Events.request("ReqCanceled", reqId, 1101, reqId - 30, "Raced book", at);
    }

    private static Event rejected(long approveId, long reqId, Instant at) {
        return Events.review("Rejected", approveId, reqId, 1101, at);
    }

    private static Event reviewCanceled(long approveId, long reqId, Instant at) {
        return Events.review("AppCanceled", approveId, reqId, 1101, at);
    }

    @Test
    void duplicatesAndReplaysChangeNothing() {
        Instant t = Instant.parse("2026-11-24T09:10:00Z");
        Event filed = Events.request("RegRequested", 201, 2001, 60, "Twice told", t.plusSeconds(1));
        Event approved = Events.review("Approved", 21, 201, 2001, t.plusSeconds(2));
        Events.send(filed, approved);
        // Both events applied (Approved alone would already show "Approved": wait for the whole row).
        await().atMost(WAIT).untilAsserted(() -> assertThat(Events.row(201)).containsExactly(2001L, 60L, "Twice told",
                "RegRequested", "Approved", "Approved", 21L, Timestamp.from(t.plusSeconds(2))));
        List<Object> row = Events.row(201);
        Object updatedAt = Events.updatedAt(201);
        long processed = Events.count("SELECT count(*) FROM processed_event");

        // The relay re-sends (same event ids), once more, and one id comes back with other content.
        Events.send(approved, filed, approved, filed, approved.withType("AppCanceled"), filed.withType("ReqCanceled"));
        // Markers behind them on both topics: once applied, everything before them was consumed.
        Events.send(Events.request("RegRequested", 202, 2001, 61, "Marker", t.plusSeconds(5)),
                Events.review("Approved", 23, 203, 2001, t.plusSeconds(5)));
        await().atMost(WAIT).until(() -> Events.row(202) != null && Events.row(203) != null);

        assertThat(Events.row(201)).isEqualTo(row);
        assertThat(Events.updatedAt(201)).isEqualTo(updatedAt);
        assertThat(Events.count("SELECT count(*) FROM processed_event")).isEqualTo(processed + 2);
    }

    @Test
    void poisonMessagesGoToTheDeadLetterTopicsAndLaterMessagesStillApply() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String request = Contracts.REGREQUEST_TOPIC;
        String approve = Contracts.APPROVE_TOPIC;
        Events.sendRaw(request, "notjson-" + tag, UUID.randomUUID().toString(), "RegRequested", "{not json");
        Events.sendRaw(request, "noid-" + tag, null, "RegRequested", "{\"id\": 301}");
        Events.sendRaw(request, "unknown-" + tag, UUID.randomUUID().toString(), "RegDeleted", "{\"id\": 301}");
        Events.sendRaw(request, "nobook-" + tag, UUID.randomUUID().toString(), "RegRequested",
                "{\"id\": 301, \"publId\": 3001, \"bookNm\": \"x\", \"occurredAt\": \"2026-11-24T09:20:00Z\"}");
        Events.sendRaw(approve, "notjson-" + tag, UUID.randomUUID().toString(), "Approved", "[1, 2");
        Events.sendRaw(approve, "baduuid-" + tag, "not-a-uuid", "Approved", "{}");

        Instant t = Instant.parse("2026-11-24T09:20:00Z");
        Events.send(Events.request("RegRequested", 301, 3001, 70, "After the poison", t.plusSeconds(1)),
                Events.review("Approved", 31, 301, 3001, t.plusSeconds(2)));
        await().atMost(WAIT).untilAsserted(() -> assertThat(Events.row(301)).containsExactly(3001L, 70L,
                "After the poison", "RegRequested", "Approved", "Approved", 31L, Timestamp.from(t.plusSeconds(2))));

        Map<String, ConsumerRecord<String, String>> regDlq = readDeadLetters("publisher-view.regrequest-events.dlq", tag, 4);
        Map<String, ConsumerRecord<String, String>> appDlq = readDeadLetters("publisher-view.approve-events.dlq", tag, 2);
        assertThat(reason(regDlq.get("notjson-" + tag))).contains("is not JSON");
        assertThat(reason(regDlq.get("noid-" + tag))).contains("has no eventId header");
        assertThat(reason(regDlq.get("unknown-" + tag))).contains("unknown eventType: RegDeleted");
        assertThat(reason(regDlq.get("nobook-" + tag))).contains("lacks a valid 'bookId'");
        assertThat(reason(appDlq.get("notjson-" + tag))).contains("is not JSON");
        assertThat(reason(appDlq.get("baduuid-" + tag))).contains("not a UUID");
        assertThat(regDlq.get("notjson-" + tag).value()).isEqualTo("{not json");
        // Nothing of the poison reached the view.
        assertThat(Events.count("SELECT count(*) FROM publpage WHERE publ_id = 3001")).isOne();
    }

    /** The dead letters of this test (keys ending in the tag), by key. */
    static Map<String, ConsumerRecord<String, String>> readDeadLetters(String topic, String tag, int expected) {
        Map<String, ConsumerRecord<String, String>> found = new HashMap<>();
        TestRelay.read(topic, key -> key.endsWith(tag), expected, WAIT).forEach(r -> found.put(r.key(), r));
        return found;
    }

    static String reason(ConsumerRecord<String, String> record) {
        assertThat(record).as("dead letter").isNotNull();
        Header header = record.headers().lastHeader("dead-letter-reason");
        assertThat(header).as("dead-letter-reason header").isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
