-- The Debezium Quarkus outbox extension's table (ExportedEvent<String, JsonNode>): rows are inserted and
-- deleted in the business transaction; Debezium relays the inserts from the WAL.
CREATE TABLE outboxevent (
    id            uuid          PRIMARY KEY,
    aggregatetype varchar(255)  NOT NULL,
    aggregateid   varchar(255)  NOT NULL,
    type          varchar(255)  NOT NULL,
    timestamp     timestamp(6)  NOT NULL,
    payload       varchar(8000),
    -- filled only when quarkus-opentelemetry is present (trace context for the EventRouter)
    tracingspancontext varchar(256)
);
