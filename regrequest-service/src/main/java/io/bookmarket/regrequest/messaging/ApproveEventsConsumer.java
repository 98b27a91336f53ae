package io.bookmarket.regrequest.messaging;

import io.bookmarket.regrequest.domain.RegYn;
import io.bookmarket.regrequest.service.RegRequestService;
import io.bookmarket.support.messaging.EventConsumption;
import io.bookmarket.support.messaging.EventHandlers;
import io.bookmarket.support.messaging.IncomingEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * approval-service's decisions (topic outbox.event.Approve) move the request's status. Idempotent, unprocessable
 * messages to the dead-letter topic, outages and lost races retried: see {@link EventConsumption}.
 */
@ApplicationScoped
public class ApproveEventsConsumer {

    @Inject
    RegRequestService service;

    @Inject
    EventConsumption consumption;

    private final EventHandlers handlers = EventHandlers.on("Approved", this::reviewed)
            .and("Rejected", this::reviewed)
            .and("AppCanceled", this::reviewed);

    /** The event types handled, and what each does. */
    public EventHandlers handlers() {
        return handlers;
    }

    @Incoming("approve-events")
    @Blocking
    // One transaction per poll (batch=true in application.properties); see EventConsumption.applyBatch.
    public CompletionStage<Void> onApproveEvents(KafkaRecordBatch<String, String> batch) {
        return consumption.applyBatch("approve-events", batch, handlers);
    }

    private void reviewed(IncomingEvent event) {
        service.reviewed(event.requiredId("reqReqId"), event.requiredId("id"), RegYn.valueOf(event.eventType()));
    }
}
