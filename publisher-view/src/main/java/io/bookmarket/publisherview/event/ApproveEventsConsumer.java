package io.bookmarket.publisherview.event;

import io.bookmarket.publisherview.service.PublpageProjection;
import io.bookmarket.support.event.IncomingEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.bookmarket.support.event.EventConsumption;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * approval-service's events (topic outbox.event.Approve): Approved, Rejected, AppCanceled. Idempotent and
 * order-independent (see {@link PublpageProjection}); unprocessable messages throw and go to the dead-letter topic.
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
        // a database outage or a lost race is retried, never dead-lettered (see EventConsumption)
        return consumption.applyBatch("approve-events", batch, r -> projection.handle(IncomingEvent.from(r, PublpageProjection.REVIEW_EVENTS)));
    }
}
