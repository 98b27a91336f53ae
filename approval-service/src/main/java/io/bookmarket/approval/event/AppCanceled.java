package io.bookmarket.approval.event;

import io.bookmarket.approval.domain.Approve;

/** The review was cancelled: by a reviewer, or because the publisher cancelled the request (ReqCanceled). */
public final class AppCanceled extends ApproveEvent {

    private AppCanceled(Approve ticket) {
        super(ticket);
    }

    public static AppCanceled of(Approve ticket) {
        return new AppCanceled(ticket);
    }

    @Override
    public String getType() {
        return "AppCanceled";
    }
}
