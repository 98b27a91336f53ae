package io.bookmarket.publisherview.domain;

/**
 * The review's status. {@code RegRequested} means "filed, awaiting review". Declaration order is the merge rank:
 * a later-ranked status is never replaced by an earlier one, whatever order the events arrive in.
 */
public enum AppYn {
    RegRequested,
    Approved,
    Rejected,
    AppCanceled
}
