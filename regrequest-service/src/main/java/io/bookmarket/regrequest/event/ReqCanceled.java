package io.bookmarket.regrequest.event;

import io.bookmarket.regrequest.domain.RegRequest;

/** The publisher cancelled the request; approval-service cancels the review when it sees this. */
public final class ReqCanceled extends RegRequestEvent {

    private ReqCanceled(RegRequest request) {
        super(request);
    }

    public static ReqCanceled of(RegRequest request) {
        return new ReqCanceled(request);
    }

    @Override
    public String getType() {
        return "ReqCanceled";
    }
}
