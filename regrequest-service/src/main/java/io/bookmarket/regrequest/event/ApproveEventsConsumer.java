package io.bookmarket.regrequest.event;

import io.bookmarket.regrequest.domain.RegYn;
import io.bookmarket.regrequest.service.RegRequestService;
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

import java.util.Set;

/**
 * approval-service's decisions (topic outbox.event.Approve) move the request's status. Idempotent: the event id is
 * recorded in the same transaction as the change. Unparseable messages throw and go to the dead-letter topic; a
 * database outage or a lost race is retried ({@link EventConsumption}), never dead-lettered.
 */
@ApplicationScoped
public class ApproveEventsConsumer {

    static final Set<String> TYPES = Set.of("Approved", "Rejected", "AppCanceled");

    @Inject
    ProcessedEventLog processedEventLog;

    @Inject
    RegRequestService service;

    @Inject
    EventConsumption consumption;

    @Incoming("approve-events")
    @Blocking
    // One transaction per poll (batch=true in application.properties); see EventConsumption.applyBatch.
    public CompletionStage<Void> onApproveEvents(KafkaRecordBatch<String, String> batch) {
        return consumption.applyBatch("approve-events", batch, this::apply);
    }

    private void apply(ConsumerRecord<String, String> record) {
        IncomingEvent event = IncomingEvent.from(record, TYPES);
        long requestId = event.requiredId("reqReqId");
        long ticketId = event.requiredId("id");
        if (!processedEventLog.firstDelivery(event)) {
            return;
        }
        service.reviewed(requestId, ticketId, RegYn.valueOf(event.eventType()));
    }
}
