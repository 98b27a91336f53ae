package io.bookmarket.support.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;

/**
 * An event as relayed by Debezium's outbox EventRouter: key = aggregate id, headers {@code eventId} and
 * {@code eventType}, value = the JSON payload. Parsing never trusts the text form (jsonb may reorder keys).
 */
public record IncomingEvent(UUID eventId, String eventType, String topic, String key, JsonNode payload) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @throws PoisonEventException when the record can never be processed, whatever the retries */
    public static IncomingEvent from(ConsumerRecord<String, String> record, Set<String> acceptedTypes) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        String id = header(record, "eventId");
        if (id == null) {
            throw new PoisonEventException("Message " + where + " has no eventId header");
        }
        UUID eventId;
        try {
            eventId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new PoisonEventException("Message " + where + " has an eventId that is not a UUID: " + id, e);
        }
        String type = header(record, "eventType");
        if (type == null || !acceptedTypes.contains(type)) {
            throw new PoisonEventException("Message " + where + " has an unknown eventType: " + type);
        }
        if (record.value() == null) {
            throw new PoisonEventException("Message " + where + " (" + type + ") has no payload");
        }
        JsonNode payload;
        try {
            payload = JSON.readTree(record.value());
        } catch (JsonProcessingException e) {
            throw new PoisonEventException("Message " + where + " (" + type + ") is not JSON: " + e.getOriginalMessage(), e);
        }
        if (payload == null || !payload.isObject()) {
            throw new PoisonEventException("Message " + where + " (" + type + ") is not a JSON object");
        }
        return new IncomingEvent(eventId, type, record.topic(), record.key(), payload);
    }

    /** A required positive whole-number field of the payload. */
    public long requiredId(String field) {
        JsonNode node = payload.get(field);
        if (node == null || !node.canConvertToExactIntegral() || node.asLong() < 1) {
            throw new PoisonEventException(eventType + " " + eventId + " lacks a valid '" + field + "': " + node);
        }
        return node.asLong();
    }

    /** An optional text field (null when absent). */
    public String text(String field) {
        JsonNode node = payload.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    /** When the change committed at the source, as the payload's {@code occurredAt} says. */
    public Instant occurredAt() {
        String text = text("occurredAt");
        if (text == null) {
            throw new PoisonEventException(eventType + " " + eventId + " has no occurredAt");
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new PoisonEventException(eventType + " " + eventId + " has an invalid occurredAt: " + text, e);
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
