package io.bookmarket.approval.event;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bookmarket.approval.domain.Approve;
import io.bookmarket.support.event.JsonExportedEvent;

/**
 * What the Approve aggregate publishes through the outbox (topic outbox.event.Approve, key = ticket id). The payload
 * is the ticket after the decision, {@code appYn} being the event name, {@code occurredAt} the decision's time.
 */
public abstract class ApproveEvent extends JsonExportedEvent {

    public static final String AGGREGATE_TYPE = "Approve";

    protected ApproveEvent(Approve ticket) {
        super(AGGREGATE_TYPE, ticket.id, ticket.decidedAt, JsonNodeFactory.instance.objectNode()
                .put("id", ticket.id)
                .put("reqReqId", ticket.reqReqId)
                .put("publId", ticket.publId)
                .put("appYn", ticket.appYn.name())
                .put("occurredAt", ticket.decidedAt.toString()));
    }

    /** The event announcing the ticket's current (just decided) status. */
    public static ApproveEvent of(Approve ticket) {
        return switch (ticket.appYn) {
            case Approved -> Approved.of(ticket);
            case Rejected -> Rejected.of(ticket);
            case AppCanceled -> AppCanceled.of(ticket);
            case RegRequested -> throw new IllegalArgumentException("Review " + ticket.id + " is pending: no decision to publish");
        };
    }
}
