package io.bookmarket.publisherview;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bookmarket.contracts.Contracts;
import io.bookmarket.stack.StackTestResource;
import io.bookmarket.support.event.IncomingEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Events as regrequest-service and approval-service publish them (payloads checked against the contracts), and
 * the relay's side: records produced exactly as Debezium's EventRouter writes them.
 */
final class Events {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String DATABASE = "publisherview";
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private static KafkaProducer<String, String> producer;

    private Events() {
    }

    /** One event: its id, type and payload, on the topic its type belongs to. */
    record Event(UUID eventId, String type, String key, ObjectNode payload) {

        String topic() {
            return type.equals("RegRequested") || type.equals("ReqCanceled") ? Contracts.REGREQUEST_TOPIC : Contracts.APPROVE_TOPIC;
        }

        IncomingEvent incoming() {
            return new IncomingEvent(eventId, type, topic(), key, payload);
        }

        /** The same event id carrying another payload: what a duplicate must never apply. */
        Event withType(String otherType) {
            ObjectNode other = payload.deepCopy();
            other.put(other.has("appYn") ? "appYn" : "regYn", otherType);
            return new Event(eventId, otherType, key, other);
        }
    }

    static Event request(String type, long reqId, long publId, long bookId, String bookNm, Instant occurredAt) {
        ObjectNode p = JSON.createObjectNode()
                .put("id", reqId).put("bookId", bookId).put("bookNm", bookNm).put("publId", publId)
                .put("regYn", type).put("occurredAt", occurredAt.toString());
        Contracts.assertConforms(type, p);
        return new Event(UUID.randomUUID(), type, Long.toString(reqId), p);
    }

    static Event review(String type, long approveId, long reqId, long publId, Instant occurredAt) {
        ObjectNode p = JSON.createObjectNode()
                .put("id", approveId).put("reqReqId", reqId).put("publId", publId)
                .put("appYn", type).put("occurredAt", occurredAt.toString());
        Contracts.assertConforms(type, p);
        return new Event(UUID.randomUUID(), type, Long.toString(approveId), p);
    }

    static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, StackTestResource.shared().kafka().bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 0,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
        }
        return producer;
    }

    /** Produces events in the given order, as the relay does (key, headers eventId and eventType, JSON value). */
    static void send(Event... events) {
        for (Event e : events) {
            sendRaw(e.topic(), e.key(), e.eventId().toString(), e.type(), e.payload().toString());
        }
    }

    /** Anything, including what the relay would never send; a null header is left out. */
    static void sendRaw(String topic, String key, String eventId, String eventType, String value) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        if (eventId != null) {
            record.headers().add(new RecordHeader("eventId", eventId.getBytes(StandardCharsets.UTF_8)));
        }
        if (eventType != null) {
            record.headers().add(new RecordHeader("eventType", eventType.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            producer().send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("Could not produce to " + topic, e);
        }
    }

    static Connection db() throws SQLException {
        return StackTestResource.shared().postgres().connect(DATABASE);
    }

    /** Rows of a query, each as a list of column values. */
    static List<List<Object>> rows(String sql, Object... params) {
        try (Connection c = db(); var st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                List<List<Object>> rows = new ArrayList<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    rows.add(Arrays.asList(row));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static long count(String sql, Object... params) {
        return ((Number) rows(sql, params).get(0).get(0)).longValue();
    }

    /** The business columns of one request's row (no timestamps but lastEventAt), or null when absent. */
    static List<Object> row(long reqId) {
        List<List<Object>> rows = rows("""
                SELECT publ_id, book_id, book_nm, reg_yn, app_yn, status, approve_id, last_event_at
                FROM publpage WHERE req_id = ?""", reqId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    static Object updatedAt(long reqId) {
        return rows("SELECT updated_at FROM publpage WHERE req_id = ?", reqId).get(0).get(0);
    }
}
