package io.bookmarket.support.event;

import com.fasterxml.jackson.databind.JsonNode;
import io.debezium.outbox.quarkus.ExportedEvent;

import java.time.Instant;

/**
 * An event written to the outbox table with a JSON payload (jsonb column), routed by Debezium's EventRouter to the
 * topic {@code outbox.event.<aggregateType>} with the aggregate id as key. The extension needs every event of one
 * application to share these generic types.
 */
public abstract class JsonExportedEvent implements ExportedEvent<String, JsonNode> {

    private final String aggregateType;
    private final String aggregateId;
    private final Instant timestamp;
    private final JsonNode payload;

    protected JsonExportedEvent(String aggregateType, long aggregateId, Instant timestamp, JsonNode payload) {
        this.aggregateType = aggregateType;
        this.aggregateId = Long.toString(aggregateId);
        this.timestamp = timestamp;
        this.payload = payload;
    }

    @Override
    public String getAggregateId() {
        return aggregateId;
    }

    @Override
    public String getAggregateType() {
        return aggregateType;
    }

    @Override
    public Instant getTimestamp() {
        return timestamp;
    }

    @Override
    public JsonNode getPayload() {
        return payload;
    }
}
