package io.bookmarket.publisherview.domain;

/** The one status a publisher reads; derived from {@link RegYn} and {@link AppYn} by {@link Publpage#deriveStatus}. */
public enum PublStatus {
    RegRequested,
    Approved,
    Rejected,
    AppCanceled,
    ReqCanceled
}
