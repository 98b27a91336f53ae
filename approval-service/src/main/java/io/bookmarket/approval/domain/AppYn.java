package io.bookmarket.approval.domain;

/**
 * A review ticket's status. {@code RegRequested} is the pending review.
 * <pre>
 *                 reviewer (PATCH)                 publisher's cancel (ReqCanceled event)
 * RegRequested --> Approved --> AppCanceled        RegRequested -----.
 *      |-------> Rejected                          Approved     -----+--> AppCanceled
 *      `-------> AppCanceled                       Rejected     -----'
 * </pre>
 * For reviewers {@code Rejected} and {@code AppCanceled} are final ({@link #isFinal()}, {@link #canBecome}). The
 * publisher's cancel wins over every decision, a rejection included ({@link #yieldsToRequestCancel()}): a reviewer's
 * rejection and the publisher's cancel can be stored at the same moment in the two services, and regrequest-service
 * then keeps its {@code ReqCanceled} (it ignores the late Rejected), so the ticket follows it to {@code AppCanceled}
 * and all three services agree. A rejection that reached regrequest-service first makes the publisher's DELETE a
 * 409 there, so no ReqCanceled follows it and the ticket stays {@code Rejected}. {@code AppCanceled} is the one
 * status nothing leaves.
 */
public enum AppYn {
    RegRequested, Approved, Rejected, AppCanceled;

    /** No reviewer's decision moves it any more (a Rejected ticket still yields to the publisher's cancel). */
    public boolean isFinal() {
        return this == Rejected || this == AppCanceled;
    }

    /** What a reviewer's decision (PATCH) may do. */
    public boolean canBecome(AppYn next) {
        return switch (this) {
            case RegRequested -> next == Approved || next == Rejected || next == AppCanceled;
            case Approved -> next == AppCanceled;
            case Rejected, AppCanceled -> false;
        };
    }

    /** Whether the publisher's cancel (ReqCanceled) turns this into AppCanceled: every status but AppCanceled. */
    public boolean yieldsToRequestCancel() {
        return this != AppCanceled;
    }

    /** What a reviewer's decision did ({@link Approve#decide}). */
    public enum Move {
        /** The status changed. */
        MOVED,
        /** The ticket already had that status: a harmless repeat, nothing changed. */
        ALREADY,
        /** The state machine does not allow it ({@link #canBecome}): nothing changed. */
        REFUSED
    }
}
