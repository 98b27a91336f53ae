package io.bookmarket.regrequest.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bookmarket.regrequest.domain.RegRequest;
import io.debezium.outbox.quarkus.ExportedEvent;

import java.time.Instant;

/**
 * What the RegRequest aggregate publishes through the outbox (topic outbox.event.RegRequest, key = request id).
 * The payload is the request as it is after the change, {@code regYn} being the event name.
 */
public abstract class RegRequestEvent implements ExportedEvent<String, JsonNode> {

    public static final String AGGREGATE_TYPE = "RegRequest";

    private final String aggregateId;
    private final JsonNode payload;
    private final Instant timestamp;

    protected RegRequestEvent(RegRequest request) {
        this.aggregateId = Long.toString(request.id);
        this.timestamp = request.updatedAt;
        ObjectNode json = JsonNodeFactory.instance.objectNode()
                .put("id", request.id)
                .put("bookId", request.bookId)
                .put("bookNm", request.bookNm)
                .put("publId", request.publId)
                .put("regYn", request.regYn.name())
                .put("occurredAt", request.updatedAt.toString());
        this.payload = json;
    }

    @Override
    public String getAggregateId() {
        return aggregateId;
    }

    @Override
    public String getAggregateType() {
        return AGGREGATE_TYPE;
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
