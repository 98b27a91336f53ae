package io.bookmarket.regrequest.event;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bookmarket.regrequest.domain.RegRequest;
import io.bookmarket.support.event.JsonExportedEvent;

/**
 * What the RegRequest aggregate publishes through the outbox (topic outbox.event.RegRequest, key = request id).
 * The payload is the request as it is after the change, {@code regYn} being the event name.
 */
public abstract class RegRequestEvent extends JsonExportedEvent {

    public static final String AGGREGATE_TYPE = "RegRequest";

    protected RegRequestEvent(RegRequest request) {
        super(AGGREGATE_TYPE, request.id, request.updatedAt, JsonNodeFactory.instance.objectNode()
                .put("id", request.id)
                .put("bookId", request.bookId)
                .put("bookNm", request.bookNm)
                .put("publId", request.publId)
                .put("regYn", request.regYn.name())
                .put("occurredAt", request.updatedAt.toString()));
    }
}
