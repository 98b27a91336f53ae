package io.bookmarket.approval.event;

import io.bookmarket.approval.service.ApproveService;
import io.bookmarket.support.event.IncomingEvent;
import io.bookmarket.support.event.ProcessedEventLog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.bookmarket.support.event.EventConsumption;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.Set;

/**
 * regrequest-service's events (topic outbox.event.RegRequest): RegRequested confirms the request's ticket,
 * ReqCanceled cancels its review. Idempotent: the event id is recorded in the same transaction as the change.
 * Kafka keeps the committed offset, so events produced while this service was down are applied when it starts.
 * Unprocessable messages throw and go to the dead-letter topic; a database outage or a lost race with a reviewer's
 * decision is retried ({@link EventConsumption}), never dead-lettered.
 */
@ApplicationScoped
public class RegRequestEventsConsumer {

    private static final Logger LOG = Logger.getLogger(RegRequestEventsConsumer.class);

    static final Set<String> TYPES = Set.of("RegRequested", "ReqCanceled");

    @Inject
    ProcessedEventLog processedEventLog;

    @Inject
    ApproveService service;

    @Inject
    EventConsumption consumption;

    @Incoming("regrequest-events")
    @Blocking
    // One transaction per poll (batch=true in application.properties); see EventConsumption.applyBatch.
    public CompletionStage<Void> onRegRequestEvents(KafkaRecordBatch<String, String> batch) {
        return consumption.applyBatch("regrequest-events", batch, this::apply);
    }

    private void apply(ConsumerRecord<String, String> record) {
        IncomingEvent event = IncomingEvent.from(record, TYPES);
        long requestId = event.requiredId("id");
        long publId = event.requiredId("publId");
        if (!processedEventLog.firstDelivery(event)) {
            LOG.infof("%s of request %d (event %s) was already applied: duplicate delivery ignored",
                    event.eventType(), requestId, event.eventId());
            return;
        }
        switch (event.eventType()) {
            case "RegRequested" -> service.requestFiled(requestId, publId, event.requiredId("bookId"), event.text("bookNm"));
            case "ReqCanceled" -> service.requestCanceled(requestId);
            default -> throw new IllegalStateException("Unhandled event type " + event.eventType());
        }
    }
}
