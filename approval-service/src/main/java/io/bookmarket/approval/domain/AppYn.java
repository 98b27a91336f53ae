package io.bookmarket.approval.domain;

/**
 * A review ticket's status. {@code RegRequested} is the pending review; {@code Rejected} and {@code AppCanceled}
 * are final.
 * <pre>
 * RegRequested --> Approved --> AppCanceled
 *      |-------> Rejected
 *      `-------> AppCanceled
 * </pre>
 */
public enum AppYn {
    RegRequested, Approved, Rejected, AppCanceled;

    public boolean isFinal() {
        return this == Rejected || this == AppCanceled;
    }

    public boolean canBecome(AppYn next) {
        return switch (this) {
            case RegRequested -> next == Approved || next == Rejected || next == AppCanceled;
            case Approved -> next == AppCanceled;
            case Rejected, AppCanceled -> false;
        };
    }
}
