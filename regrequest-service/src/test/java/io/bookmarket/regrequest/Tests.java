package io.bookmarket.regrequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bookmarket.contracts.Contracts;
import io.bookmarket.regrequest.client.ApprovalReview;
import io.bookmarket.support.testing.TestTokens;
import io.bookmarket.stack.StackTestResource;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
    private static KafkaProducer<String, String> producer;

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
        try (Connection db = StackTestResource.shared().postgres().connect("regrequest");
             PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                        row.put(rs.getMetaData().getColumnLabel(c), rs.getObject(c));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static long count(String sql, Object... params) {
        return ((Number) query(sql, params).getFirst().values().iterator().next()).longValue();
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
        UUID eventId = UUID.randomUUID();
        send(Long.toString(ticketId), payload.toString(), Map.of("eventId", eventId.toString(), "eventType", type));
        return eventId;
    }

    static synchronized void send(String key, String value, Map<String, String> headers) {
        if (producer == null) {
            Properties props = new Properties();
            props.put("bootstrap.servers", StackTestResource.shared().kafka().bootstrapServers());
            props.put("key.serializer", StringSerializer.class.getName());
            props.put("value.serializer", StringSerializer.class.getName());
            props.put("linger.ms", "0");
            producer = new KafkaProducer<>(props);
        }
        ProducerRecord<String, String> record = new ProducerRecord<>(Contracts.APPROVE_TOPIC, key, value);
        headers.forEach((name, v) -> record.headers().add(name, v.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the dead-letter topic from its start until a record with this key shows up. */
    static ConsumerRecord<String, String> deadLetter(String key, Duration within) {
        Properties props = new Properties();
        props.put("bootstrap.servers", StackTestResource.shared().kafka().bootstrapServers());
        props.put("group.id", "dlq-reader-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of("regrequest-service.approve-events.dlq"));
            long end = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("No dead letter with key " + key + " within " + within);
    }

    static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
