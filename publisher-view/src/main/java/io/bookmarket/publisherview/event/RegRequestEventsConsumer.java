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
 * regrequest-service's events (topic outbox.event.RegRequest): RegRequested, ReqCanceled. Idempotent and
 * order-independent (see {@link PublpageProjection}); unprocessable messages throw and go to the dead-letter topic.
 */
@ApplicationScoped
public class RegRequestEventsConsumer {

    @Inject
    PublpageProjection projection;

    @Inject
    EventConsumption consumption;

    @Incoming("regrequest-events")
    @Blocking
    public void onRegRequestEvent(ConsumerRecord<String, String> record) {
        // a database outage or a lost race is retried, never dead-lettered (see EventConsumption)
        consumption.apply("regrequest-events", record, r -> projection.handle(IncomingEvent.from(r, PublpageProjection.REQUEST_EVENTS)));
    }
}
