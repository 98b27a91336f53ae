-- Idempotency keys are kept per publisher since requests are filed under the caller's identity: idem_key is now
-- '<publId>:<Idempotency-Key>' (up to 19 digits, a colon and the header's 255 characters). A key stored before this
-- migration no longer matches a retry; it only ever protected retries of a few seconds.
ALTER TABLE idempotency_key ALTER COLUMN idem_key TYPE varchar(300);
