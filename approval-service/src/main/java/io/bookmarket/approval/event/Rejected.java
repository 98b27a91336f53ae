package io.bookmarket.approval.event;

import io.bookmarket.approval.domain.Approve;

/** The product team rejected the request. */
public final class Rejected extends ApproveEvent {

    private Rejected(Approve ticket) {
        super(ticket);
    }

    public static Rejected of(Approve ticket) {
        return new Rejected(ticket);
    }

    @Override
    public String getType() {
        return "Rejected";
    }
}
