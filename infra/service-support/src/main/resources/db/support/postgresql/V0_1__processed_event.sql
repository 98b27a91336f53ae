-- The idempotent consumers' log: an event id is recorded in the same transaction as its effect, so a
-- redelivered event (Kafka and Debezium deliver at least once) is recognised and has no second effect.
CREATE TABLE processed_event (
    event_id     uuid         PRIMARY KEY,
    event_type   varchar(64)  NOT NULL,
    source_topic varchar(255) NOT NULL,
    processed_at timestamptz  NOT NULL DEFAULT now()
);
