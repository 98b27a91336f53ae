package io.bookmarket.publisherview;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bookmarket.contracts.Contracts;
import io.bookmarket.stack.testing.TestDatabase;
import io.bookmarket.stack.testing.TestRelay;
import io.bookmarket.support.messaging.IncomingEvent;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
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

    private static final TestDatabase DB = TestDatabase.postgres(DATABASE);

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

    /** Produces events in the given order, as the relay does (key, headers eventId and eventType, JSON value). */
    static void send(Event... events) {
        for (Event e : events) {
            TestRelay.sendEvent(e.topic(), e.key(), e.eventId(), e.type(), e.payload().toString());
        }
    }

    /** Anything, including what the relay would never send; a null header is left out. */
    static void sendRaw(String topic, String key, String eventId, String eventType, String value) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (eventId != null) {
            headers.put("eventId", eventId);
        }
        if (eventType != null) {
            headers.put("eventType", eventType);
        }
        TestRelay.send(topic, key, value, headers);
    }

    static Connection db() throws SQLException {
        return DB.connect();
    }

    /** Rows of a query, each as a list of column values. */
    static List<List<Object>> rows(String sql, Object... params) {
        return DB.rows(sql, params);
    }

    static long count(String sql, Object... params) {
        return DB.count(sql, params);
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
