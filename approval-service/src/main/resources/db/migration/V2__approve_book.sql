-- The book under review, for the reviewers' page: copied from the request's RegRequested event when it confirms the
-- ticket. Null on tickets confirmed before this column existed and on unconfirmed ones (not in the queue yet).
ALTER TABLE approve
    ADD COLUMN book_id bigint       NULL CHECK (book_id > 0),
    ADD COLUMN book_nm varchar(200) NULL;
-- The reviewers' page lists decided tickets, most recently decided first.
CREATE INDEX approve_decided ON approve (confirmed, decided_at DESC, id DESC);
