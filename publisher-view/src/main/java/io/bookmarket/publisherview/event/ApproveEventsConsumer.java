package io.bookmarket.publisherview.event;

import io.bookmarket.publisherview.service.PublpageProjection;
import io.bookmarket.support.event.IncomingEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
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

    @Incoming("approve-events")
    @Transactional
    public void onApproveEvent(ConsumerRecord<String, String> record) {
        projection.handle(IncomingEvent.from(record, PublpageProjection.REVIEW_EVENTS));
    }
}
