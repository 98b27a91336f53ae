package io.bookmarket.support.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IncomingEventTest {

    private static final Set<String> TYPES = Set.of("Approved");

    private static ConsumerRecord<String, String> record(String eventId, String type, String value) {
        ConsumerRecord<String, String> record = new ConsumerRecord<>("outbox.event.Approve", 0, 42L, "7", value);
        if (eventId != null) {
            record.headers().add(new RecordHeader("eventId", eventId.getBytes(StandardCharsets.UTF_8)));
        }
        if (type != null) {
            record.headers().add(new RecordHeader("eventType", type.getBytes(StandardCharsets.UTF_8)));
        }
        return record;
    }

    @Test
    void parsesHeadersAndPayloadWhateverTheKeyOrder() {
        UUID id = UUID.randomUUID();
        IncomingEvent event = IncomingEvent.from(record(id.toString(), "Approved",
                "{\"occurredAt\": \"2026-11-24T10:00:00Z\", \"reqReqId\": 5, \"appYn\": \"Approved\", \"id\": 7}"), TYPES);
        assertThat(event.eventId()).isEqualTo(id);
        assertThat(event.key()).isEqualTo("7");
        assertThat(event.requiredId("reqReqId")).isEqualTo(5L);
        assertThat(event.text("appYn")).isEqualTo("Approved");
        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
    }

    @Test
    void poisonMessagesAreRecognised() {
        String ok = "{\"id\":7}";
        assertThatThrownBy(() -> IncomingEvent.from(record(null, "Approved", ok), TYPES))
                .isInstanceOf(PoisonEventException.class).hasMessageContaining("no eventId");
        assertThatThrownBy(() -> IncomingEvent.from(record("not-a-uuid", "Approved", ok), TYPES))
                .isInstanceOf(PoisonEventException.class).hasMessageContaining("not a UUID");
        assertThatThrownBy(() -> IncomingEvent.from(record(UUID.randomUUID().toString(), "Exploded", ok), TYPES))
                .isInstanceOf(PoisonEventException.class).hasMessageContaining("unknown eventType");
        assertThatThrownBy(() -> IncomingEvent.from(record(UUID.randomUUID().toString(), "Approved", "{not json"), TYPES))
                .isInstanceOf(PoisonEventException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> IncomingEvent.from(record(UUID.randomUUID().toString(), "Approved", "[1]"), TYPES))
                .isInstanceOf(PoisonEventException.class).hasMessageContaining("not a JSON object");
        IncomingEvent noId = IncomingEvent.from(record(UUID.randomUUID().toString(), "Approved", "{\"reqReqId\":\"x\"}"), TYPES);
        assertThatThrownBy(() -> noId.requiredId("reqReqId")).isInstanceOf(PoisonEventException.class);
        assertThatThrownBy(noId::occurredAt).isInstanceOf(PoisonEventException.class);
    }
}
