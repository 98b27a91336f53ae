package io.bookmarket.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bookmarket.contracts.Contracts;
import io.bookmarket.stack.testing.TestDatabase;
import io.bookmarket.stack.testing.TestRelay;
import io.bookmarket.support.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * What the tests share: the callers (each with its access token), direct SQL on the service's database, and Kafka
 * played as Debezium's relay.
 */
final class Tests {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration EVENTUALLY = Duration.ofSeconds(20);
    static final String DATABASE = "approval";
    static final String DLQ_TOPIC = "approval-service.regrequest-events.dlq";

    // Fresh database every run; EventsWhileDown uses ids above 990000.
    private static final AtomicLong REQUESTS = new AtomicLong(1000);
    private static final AtomicLong PUBLISHERS = new AtomicLong(5000);
    private static final TestDatabase DB = TestDatabase.mariaDb(DATABASE);

    private Tests() {
    }

    /** A registration request id no other test uses. */
    static long newRequest() {
        return REQUESTS.incrementAndGet();
    }

    /** A publisher id no other test uses, so lists and counts are the test's own. */
    static long newPublisher() {
        return PUBLISHERS.incrementAndGet();
    }

    /** A request of regrequest-service (its client-credentials token: role review-opener). */
    static RequestSpecification asOpener() {
        return given().auth().oauth2(TestTokens.reviewOpener());
    }

    /** A request of a reviewer (lists, reads and decides). */
    static RequestSpecification asReviewer() {
        return given().auth().oauth2(TestTokens.reviewer());
    }

    /** Opens a ticket as regrequest-service does (pending, unconfirmed) and returns its id. */
    static long open(long reqReqId, long publId) {
        return asOpener().contentType(ContentType.JSON)
                .body(Map.of("reqReqId", reqReqId, "appYn", "RegRequested", "publId", publId))
                .post("/approves").then().statusCode(201).extract().<Number>path("id").longValue();
    }

    /** The normal life of a request: ticket opened, then the request's RegRequested arrives and confirms it. */
    static long confirmedTicket(long reqReqId, long publId) {
        open(reqReqId, publId);
        UUID event = sendRegRequestEvent("RegRequested", reqReqId, publId);
        awaitProcessed(event);
        // Read back: on a very slow box the ticket may have expired (test window 3s) and the event opened a new one.
        return (Long) ticket(reqReqId).get("id");
    }

    static Map<String, Object> ticket(long reqReqId) {
        List<Map<String, Object>> rows = query("SELECT * FROM approve WHERE req_req_id = ?", reqReqId);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    static List<Map<String, Object>> outbox(long ticketId) {
        return query("SELECT * FROM outboxevent WHERE aggregatetype = 'Approve' AND aggregateid = ? ORDER BY timestamp, type",
                Long.toString(ticketId));
    }

    static List<Object> outboxTypes(long ticketId) {
        return outbox(ticketId).stream().map(row -> row.get("type")).toList();
    }

    /** The payload of an outbox row, checked against its event's contract. */
    static JsonNode conformingPayload(Map<String, Object> outboxRow) {
        try {
            JsonNode payload = JSON.readTree((String) outboxRow.get("payload"));
            Contracts.assertConforms((String) outboxRow.get("type"), payload);
            return payload;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Map<String, Object>> query(String sql, Object... params) {
        return DB.query(sql, params);
    }

    static long count(String sql, Object... params) {
        return DB.count(sql, params);
    }

    /** Waits until the consumer recorded the event id (in the transaction that applied it). */
    static void awaitProcessed(UUID eventId) {
        await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(50))
                .until(() -> count("SELECT count(*) FROM processed_event WHERE event_id = ?", eventId) == 1);
    }

    /** A RegRequest payload as regrequest-service writes it; it conforms to its contract. */
    static ObjectNode regRequestPayload(String type, long reqReqId, long publId) {
        ObjectNode payload = JSON.createObjectNode().put("id", reqReqId).put("bookId", 99).put("bookNm", "book of " + reqReqId)
                .put("publId", publId).put("regYn", type).put("occurredAt", Instant.now().toString());
        Contracts.assertConforms(type, payload);
        return payload;
    }

    /** A RegRequest event as Debezium's EventRouter relays it (key = request id). */
    static UUID sendRegRequestEvent(String type, long reqReqId, long publId) {
        UUID eventId = UUID.randomUUID();
        sendRegRequestEvent(eventId, type, reqReqId, publId);
        return eventId;
    }

    static void sendRegRequestEvent(UUID eventId, String type, long reqReqId, long publId) {
        TestRelay.sendEvent(Contracts.REGREQUEST_TOPIC, Long.toString(reqReqId), eventId, type,
                regRequestPayload(type, reqReqId, publId).toString());
    }

    static void send(String key, String value, Map<String, String> headers) {
        TestRelay.send(Contracts.REGREQUEST_TOPIC, key, value, headers);
    }

    static void send(KafkaProducer<String, String> producer, String key, String value, Map<String, String> headers) {
        TestRelay.send(producer, Contracts.REGREQUEST_TOPIC, key, value, headers);
    }

    /** Reads the dead-letter topic from its start until {@code expected} records with this key showed up. */
    static List<ConsumerRecord<String, String>> deadLetters(String key, int expected, Duration within) {
        return TestRelay.read(DLQ_TOPIC, key, expected, within);
    }

    static String header(ConsumerRecord<String, String> record, String name) {
        return TestRelay.header(record, name);
    }
}
