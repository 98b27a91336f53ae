package io.bookmarket.approval.event;

import io.bookmarket.approval.domain.Approve;

/** The product team approved the request. */
public final class Approved extends ApproveEvent {

    private Approved(Approve ticket) {
        super(ticket);
    }

    public static Approved of(Approve ticket) {
        return new Approved(ticket);
    }

    @Override
    public String getType() {
        return "Approved";
    }
}
