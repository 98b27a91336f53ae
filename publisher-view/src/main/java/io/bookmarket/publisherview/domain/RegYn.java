package io.bookmarket.publisherview.domain;

/** The request's own status, as regrequest-service reports it. Declaration order is the merge rank: it never goes back. */
public enum RegYn {
    RegRequested,
    ReqCanceled
}
