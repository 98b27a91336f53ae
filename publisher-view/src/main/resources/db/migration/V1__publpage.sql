-- The publishers' read model: one row per registration request, merged from both services' events in any
-- arrival order. Every column but the key may still be unknown when the first event for a request arrives.
CREATE TABLE publpage (
    req_id        bigint       PRIMARY KEY,
    publ_id       bigint,
    book_id       bigint,
    book_nm       varchar(200),
    reg_yn        varchar(16)  CHECK (reg_yn IN ('RegRequested', 'ReqCanceled')),
    app_yn        varchar(16)  CHECK (app_yn IN ('RegRequested', 'Approved', 'Rejected', 'AppCanceled')),
    status        varchar(16)  NOT NULL
                  CHECK (status IN ('RegRequested', 'Approved', 'Rejected', 'AppCanceled', 'ReqCanceled')),
    approve_id    bigint,
    created_at    timestamptz  NOT NULL,
    updated_at    timestamptz  NOT NULL,
    last_event_at timestamptz  NOT NULL
);

-- A publisher's requests, newest first (GET /publpages?publId=..., /search/findByPublId). The unfiltered
-- listing walks the primary key backwards.
CREATE INDEX publpage_publ_id_req_id ON publpage (publ_id, req_id DESC);
