package io.bookmarket.publisherview.messaging;

import io.bookmarket.publisherview.service.PublpageProjection;
import io.bookmarket.support.messaging.EventConsumption;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * approval-service's events (topic outbox.event.Approve): Approved, Rejected, AppCanceled. Idempotent and
 * order-independent (see {@link PublpageProjection}); unprocessable messages go to the dead-letter topic, outages and
 * lost races are retried (see {@link EventConsumption}).
 */
@ApplicationScoped
public class ApproveEventsConsumer {

    @Inject
    PublpageProjection projection;

    @Inject
    EventConsumption consumption;

    @Incoming("approve-events")
    @Blocking
    // One transaction per poll (batch=true in application.properties); see EventConsumption.applyBatch.
    public CompletionStage<Void> onApproveEvents(KafkaRecordBatch<String, String> batch) {
        return consumption.applyBatch("approve-events", batch, projection.reviewEvents());
    }
}
