-- Request ids are handed out in blocks of 50 (domain.RequestIds): one nextval per 50 requests instead of a
-- transaction per request before the review call. nextval returns the first id of a block (pooled-lo); blocks of
-- different instances never overlap, and the next block starts above every id handed out before this change.
ALTER SEQUENCE reg_request_seq INCREMENT BY 50;
