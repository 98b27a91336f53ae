-- The idempotent consumers' log (MariaDB; same columns as the PostgreSQL version): an event id is recorded in the
-- same transaction as its effect, so a redelivered event (Kafka and Debezium deliver at least once) is recognised
-- and has no second effect.
CREATE TABLE processed_event (
    event_id     uuid          PRIMARY KEY,
    event_type   varchar(64)   NOT NULL,
    source_topic varchar(255)  NOT NULL,
    processed_at datetime(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
