package io.bookmarket.regrequest.domain;

/**
 * Status of a registration request (the original's {@code regYn}). The names are also the event names.
 * <pre>
 * RegRequested -> Approved | Rejected        (approval events)
 * RegRequested | Approved -> ReqCanceled     (publisher cancels)
 * RegRequested | Approved -> AppCanceled     (reviewer cancels the review / revokes the approval)
 * </pre>
 * Every status but RegRequested and Approved is final. The publisher's cancel wins a race with a decision: once
 * ReqCanceled is stored, a Rejected or Approved that crossed it is ignored here and approval-service turns the review
 * into AppCanceled; once Rejected is stored, the publisher's DELETE is refused (409) and nothing is published.
 */
public enum RegYn {
    RegRequested, Approved, Rejected, ReqCanceled, AppCanceled;

    /** The one place that says which status may follow which (the diagram above). */
    public boolean canBecome(RegYn next) {
        return switch (this) {
            case RegRequested -> next == Approved || next == Rejected || next == ReqCanceled
                    // Extension of the original: approval-service lets a reviewer cancel a review still pending.
                    || next == AppCanceled;
            case Approved -> next == ReqCanceled || next == AppCanceled;
            case Rejected, ReqCanceled, AppCanceled -> false;
        };
    }

    /** What asking for a status did ({@link RegRequest#moveTo}). */
    public enum Move {
        /** The status changed. */
        MOVED,
        /** The request already had that status: a harmless repeat, nothing changed. */
        ALREADY,
        /** The state machine does not allow it: nothing changed. */
        REFUSED
    }
}
