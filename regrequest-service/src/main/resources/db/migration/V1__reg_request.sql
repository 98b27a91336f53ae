-- Request ids come from this sequence BEFORE the row exists: the id is sent to approval-service first and the
-- row is inserted only once the review ticket is open (no transaction is held open during that remote call).
CREATE SEQUENCE reg_request_seq START WITH 1 INCREMENT BY 1;

CREATE TABLE reg_request (
    id         bigint       PRIMARY KEY,
    book_id    bigint       NOT NULL CHECK (book_id > 0),
    book_nm    varchar(200) NOT NULL CHECK (length(trim(book_nm)) > 0),
    publ_id    bigint       NOT NULL CHECK (publ_id > 0),
    reg_yn     varchar(16)  NOT NULL
               CHECK (reg_yn IN ('RegRequested', 'Approved', 'Rejected', 'ReqCanceled', 'AppCanceled')),
    created_at timestamptz  NOT NULL,
    updated_at timestamptz  NOT NULL,
    version    bigint       NOT NULL DEFAULT 0
);

-- A publisher's requests, newest first (GET /regRequests?publId=...), and the unfiltered list.
CREATE INDEX reg_request_publ_newest ON reg_request (publ_id, created_at DESC, id DESC);
CREATE INDEX reg_request_newest ON reg_request (created_at DESC, id DESC);
