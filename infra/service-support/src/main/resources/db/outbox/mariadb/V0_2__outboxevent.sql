-- The Debezium Quarkus outbox extension's table (MariaDB): rows are inserted and deleted in the business
-- transaction; Debezium's MariaDB connector relays the inserts from the binlog.
-- The id is text, not MariaDB's uuid type: the connector (3.5) reads uuid columns as binary and drops a trailing
-- zero byte, which corrupts 1 id in 256 (measured). utf8mb4: payloads carry any book name (MariaDB 11.4's server
-- default is latin1).
CREATE TABLE outboxevent (
    id            char(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
    aggregatetype varchar(255)  NOT NULL,
    aggregateid   varchar(255)  NOT NULL,
    type          varchar(255)  NOT NULL,
    timestamp     datetime(6)   NOT NULL,
    payload       varchar(8000),
    -- filled only when quarkus-opentelemetry is present (trace context for the EventRouter)
    tracingspancontext varchar(256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
