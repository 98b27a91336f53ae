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
    // One transaction per poll (batch=true in application.properties); see EventConsumption.applyBatch.
    public CompletionStage<Void> onRegRequestEvents(KafkaRecordBatch<String, String> batch) {
        // a database outage or a lost race is retried, never dead-lettered (see EventConsumption)
        return consumption.applyBatch("regrequest-events", batch, r -> projection.handle(IncomingEvent.from(r, PublpageProjection.REQUEST_EVENTS)));
    }
}
