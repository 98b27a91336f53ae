package io.bookmarket.approval.messaging;

import io.bookmarket.approval.service.ApproveService;
import io.bookmarket.support.messaging.EventConsumption;
import io.bookmarket.support.messaging.EventHandlers;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * regrequest-service's events (topic outbox.event.RegRequest): RegRequested confirms the request's ticket,
 * ReqCanceled cancels its review. Kafka keeps the committed offset, so events produced while this service was down
 * are applied when it starts. Idempotent, unprocessable messages to the dead-letter topic, outages and lost races
 * with a reviewer's decision retried: see {@link EventConsumption}.
 */
@ApplicationScoped
public class RegRequestEventsConsumer {

    @Inject
    ApproveService service;

    @Inject
    EventConsumption consumption;

    private final EventHandlers handlers = EventHandlers
            .on("RegRequested", e -> service.requestFiled(e.requiredId("id"), e.requiredId("publId"), e.requiredId("bookId"), e.text("bookNm")))
            .and("ReqCanceled", e -> service.requestCanceled(e.requiredId("id")));

    /** The event types handled, and what each does. */
    public EventHandlers handlers() {
        return handlers;
    }

    @Incoming("regrequest-events")
    @Blocking
    // One transaction per poll (batch=true in application.properties); see EventConsumption.applyBatch.
    public CompletionStage<Void> onRegRequestEvents(KafkaRecordBatch<String, String> batch) {
        return consumption.applyBatch("regrequest-events", batch, handlers);
    }
}
