package io.bookmarket.regrequest.domain;

/**
 * Status of a registration request (the original's {@code regYn}). The names are also the event names.
 * <pre>
 * RegRequested -> Approved | Rejected        (approval events)
 * RegRequested | Approved -> ReqCanceled     (publisher cancels)
 * RegRequested | Approved -> AppCanceled     (reviewer cancels the review / revokes the approval)
 * </pre>
 */
public enum RegYn {
    RegRequested, Approved, Rejected, ReqCanceled, AppCanceled;

    public boolean isFinal() {
        return this == Rejected || this == ReqCanceled || this == AppCanceled;
    }
}
