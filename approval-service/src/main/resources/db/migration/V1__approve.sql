-- Review tickets (MariaDB): one per registration request (reqReqId). A ticket is opened by regrequest-service's
-- synchronous call BEFORE the request commits, so it starts unconfirmed; the request's RegRequested event confirms
-- it, and tickets still unconfirmed after approve.unconfirmed-ttl are deleted (the request never existed).
-- Instants are UTC datetime(6) (Hibernate writes and reads them in UTC), independent of the server's time zone.
CREATE TABLE approve (
    id          bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    req_req_id  bigint       NOT NULL CHECK (req_req_id > 0),
    publ_id     bigint       NOT NULL CHECK (publ_id > 0),
    app_yn      varchar(16)  NOT NULL CHECK (app_yn IN ('RegRequested', 'Approved', 'Rejected', 'AppCanceled')),
    confirmed   boolean      NOT NULL DEFAULT false,
    created_at  datetime(6)  NOT NULL,
    decided_at  datetime(6),
    version     bigint       NOT NULL DEFAULT 0,
    -- One ticket per request: concurrent POSTs for the same request meet here (INSERT IGNORE).
    CONSTRAINT approve_req_req_id_key UNIQUE (req_req_id),
    -- The reviewers' queue (confirmed tickets, by status and publisher, newest first).
    INDEX approve_queue (confirmed, app_yn, created_at DESC, id DESC),
    INDEX approve_publ_newest (publ_id, created_at DESC, id DESC),
    -- The expiry job's scan (MariaDB has no partial index: the few unconfirmed tickets come first).
    INDEX approve_unconfirmed (confirmed, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
