-- Idempotency-Key of POST /regRequests. The key is reserved together with the request id before approval-service
-- is called, so a retry or a concurrent duplicate with the same key reuses the same id: approval-service keeps one
-- ticket per reqReqId and the primary key of reg_request lets only one row in. response holds the first answer
-- (null until the request is stored).
CREATE TABLE idempotency_key (
    idem_key   varchar(255) PRIMARY KEY,
    body_hash  char(64)     NOT NULL,
    request_id bigint       NOT NULL,
    response   text,
    created_at timestamptz  NOT NULL DEFAULT now()
);
