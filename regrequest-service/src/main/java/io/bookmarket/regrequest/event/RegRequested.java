package io.bookmarket.regrequest.event;

import io.bookmarket.regrequest.domain.RegRequest;

/** A request was filed and its review ticket is open. */
public final class RegRequested extends RegRequestEvent {

    private RegRequested(RegRequest request) {
        super(request);
    }

    public static RegRequested of(RegRequest request) {
        return new RegRequested(request);
    }

    @Override
    public String getType() {
        return "RegRequested";
    }
}
