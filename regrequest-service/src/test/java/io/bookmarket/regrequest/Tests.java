package io.bookmarket.regrequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bookmarket.contracts.Contracts;
import io.bookmarket.regrequest.client.ApprovalReview;
import io.bookmarket.stack.testing.TestDatabase;
import io.bookmarket.stack.testing.TestRelay;
import io.bookmarket.support.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;

/**
 * What the tests share: the callers (each with its access token), the stub, direct SQL on the service's database,
 * and Kafka played as the relay.
 */
final class Tests {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong PUBLISHERS = new AtomicLong(System.currentTimeMillis() % 1_000_000 * 1000);
    private static final TestDatabase DB = TestDatabase.postgres("regrequest");

    private Tests() {
    }

    static ApprovalStub stub() {
        return ApprovalStub.stub();
    }

    /** Every test starts with a healthy approval-service and a closed breaker (the app and its breaker are shared). */
    static void reset(CircuitBreakerMaintenance breakers) {
        stub().reset();
        breakers.reset(ApprovalReview.BREAKER);
    }

    /** A publisher id no other test uses, so lists and counts are the test's own. */
    static long newPublisher() {
        return PUBLISHERS.incrementAndGet();
    }

    /** A request of publisher {@code publId} (its token carries the publId claim and role publisher). */
    static RequestSpecification asPublisher(long publId) {
        return given().auth().oauth2(TestTokens.publisher(publId));
    }

    /** A request of a reviewer (reads everything). */
    static RequestSpecification asReviewer() {
        return given().auth().oauth2(TestTokens.reviewer());
    }

    /** Files a request (approval-service answering) and returns its id. */
    static long file(long publId, long bookId, String bookNm) {
        return asPublisher(publId).contentType(ContentType.JSON)
                .body(Map.of("bookId", bookId, "bookNm", bookNm, "publId", publId))
                .post("/regRequests").then().statusCode(201).extract().<Number>path("id").longValue();
    }

    static List<Map<String, Object>> query(String sql, Object... params) {
        return DB.query(sql, params);
    }

    static long count(String sql, Object... params) {
        return DB.count(sql, params);
    }

    static List<Map<String, Object>> outbox(long requestId) {
        return query("SELECT * FROM outboxevent WHERE aggregatetype = 'RegRequest' AND aggregateid = ? ORDER BY timestamp",
                Long.toString(requestId));
    }

    static JsonNode payload(Map<String, Object> outboxRow) {
        try {
            return JSON.readTree((String) outboxRow.get("payload"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String regYn(long id) {
        return (String) query("SELECT reg_yn FROM reg_request WHERE id = ?", id).getFirst().get("reg_yn");
    }

    /** An Approve event as Debezium's EventRouter relays it; the payload conforms to its contract. */
    static UUID sendApproveEvent(String type, long ticketId, long reqReqId, long publId) {
        var payload = JSON.createObjectNode().put("id", ticketId).put("reqReqId", reqReqId).put("publId", publId)
                .put("appYn", type).put("occurredAt", Instant.now().toString());
        Contracts.assertConforms(type, payload);
        return TestRelay.sendEvent(Contracts.APPROVE_TOPIC, Long.toString(ticketId), type, payload.toString());
    }

    static void send(String key, String value, Map<String, String> headers) {
        TestRelay.send(Contracts.APPROVE_TOPIC, key, value, headers);
    }

    /** Reads the dead-letter topic from its start until a record with this key shows up. */
    static ConsumerRecord<String, String> deadLetter(String key, Duration within) {
        List<ConsumerRecord<String, String>> found = TestRelay.read("regrequest-service.approve-events.dlq", key, 1, within);
        if (found.isEmpty()) {
            throw new AssertionError("No dead letter with key " + key + " within " + within);
        }
        return found.getFirst();
    }

    static String header(ConsumerRecord<String, String> record, String name) {
        return TestRelay.header(record, name);
    }
}
