package io.bookmarket.publisherview.event;

import io.bookmarket.publisherview.service.PublpageProjection;
import io.bookmarket.support.event.IncomingEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.bookmarket.support.event.EventConsumption;
import io.smallrye.reactive.messaging.annotations.Blocking;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
    public void onApproveEvent(ConsumerRecord<String, String> record) {
        // a database outage or a lost race is retried, never dead-lettered (see EventConsumption)
        consumption.apply("approve-events", record, r -> projection.handle(IncomingEvent.from(r, PublpageProjection.REVIEW_EVENTS)));
    }
}
