package io.bookmarket.publisherview.event;

import io.bookmarket.publisherview.service.PublpageProjection;
import io.bookmarket.support.event.IncomingEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * regrequest-service's events (topic outbox.event.RegRequest): RegRequested, ReqCanceled. Idempotent and
 * order-independent (see {@link PublpageProjection}); unprocessable messages throw and go to the dead-letter topic.
 */
@ApplicationScoped
public class RegRequestEventsConsumer {

    @Inject
    PublpageProjection projection;

    @Incoming("regrequest-events")
    @Transactional
    public void onRegRequestEvent(ConsumerRecord<String, String> record) {
        projection.handle(IncomingEvent.from(record, PublpageProjection.REQUEST_EVENTS));
    }
}
