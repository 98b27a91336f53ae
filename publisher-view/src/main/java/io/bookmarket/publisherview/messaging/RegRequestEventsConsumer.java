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
 * regrequest-service's events (topic outbox.event.RegRequest): RegRequested, ReqCanceled. Idempotent and
 * order-independent (see {@link PublpageProjection}); unprocessable messages go to the dead-letter topic, outages and
 * lost races are retried (see {@link EventConsumption}).
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
        return consumption.applyBatch("regrequest-events", batch, projection.requestEvents());
    }
}
