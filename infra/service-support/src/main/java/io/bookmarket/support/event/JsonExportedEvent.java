package io.bookmarket.support.event;

import com.fasterxml.jackson.databind.JsonNode;
import io.debezium.outbox.quarkus.ExportedEvent;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An event written to the outbox table with a JSON payload, routed by Debezium's EventRouter to the topic
 * {@code outbox.event.<aggregateType>} with the aggregate id as key. The extension needs every event of one
 * application to share these generic types.
 * <p>
 * The payload is handed to the extension as JSON text, not as a {@code JsonNode}: with a {@code JsonNode} (and the
 * extension's converter) Hibernate found the payload dirty at flush and sent an {@code UPDATE} of every outbox row
 * between its insert and its delete (infra/bench/README.md, "Where PostgreSQL's CPU goes"). A String is immutable.
 * <p>
 * Each row carries the trace of the work that wrote it ({@link #TRACING_FIELD}, W3C trace context in
 * {@code java.util.Properties} text): Debezium's EventRouter continues that trace (its relay spans) and hands it to the
 * consumers as the record's {@code traceparent} header. Written here rather than by the extension's own tracing
 * ({@code quarkus.debezium-outbox.tracing.enabled=false}): that one formats the text with {@code Properties.store},
 * a 16 KB buffer per event, a tenth of all that regrequest-service allocated under load (JFR; infra/bench/README.md).
 */
public abstract class JsonExportedEvent implements ExportedEvent<String, String> {

    /** The outbox column Debezium's EventRouter reads the span context from (its {@code tracing.span.context.field}). */
    public static final String TRACING_FIELD = "tracingspancontext";

    private final String aggregateType;
    private final String aggregateId;
    private final Instant timestamp;
    private final String payload;

    protected JsonExportedEvent(String aggregateType, long aggregateId, Instant timestamp, JsonNode payload) {
        this.aggregateType = aggregateType;
        this.aggregateId = Long.toString(aggregateId);
        this.timestamp = timestamp;
        this.payload = payload.toString(); // compact JSON, as the converter wrote it
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
    public String getPayload() {
        return payload;
    }

    /** The current trace, as the EventRouter reads it; none outside a trace. */
    @Override
    public Map<String, Object> getAdditionalFieldValues() {
        Map<String, String> fields = new LinkedHashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.current(), fields, Map::put);
        if (fields.isEmpty()) {
            return Map.of();
        }
        StringBuilder text = new StringBuilder(80);
        fields.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return Map.of(TRACING_FIELD, text.toString());
    }
}
