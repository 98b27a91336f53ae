package io.bookmarket.approval;

import com.fasterxml.jackson.databind.JsonNode;
import io.bookmarket.approval.messaging.RegRequestEventsConsumer;
import io.bookmarket.contracts.Contracts;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** regrequest-service's events through the real broker: confirmation, cancellation, duplicates, poison, catching up. */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(EventsWhileDown.class)
class RegRequestEventsTest {

    @Inject
    RegRequestEventsConsumer consumer;

    @Test
    void handlesExactlyTheEventTypesItsTopicsContractNames() {
        assertThat(consumer.handlers().types()).isEqualTo(Contracts.eventTypes(Contracts.REGREQUEST_TOPIC));
    }

    @Test
    void regRequestedConfirmsTheTicketWhichThenEntersTheQueue() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        long id = Tests.open(request, publId);
        Tests.asReviewer().queryParam("publId", publId).get("/approves").then().statusCode(200).header("X-Total-Count", "0");

        long sent = System.nanoTime();
        UUID event = Tests.sendRegRequestEvent("RegRequested", request, publId);
        await().atMost(Tests.EVENTUALLY).pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> Boolean.TRUE.equals(Tests.ticket(request).get("confirmed")));
        System.out.printf("RegRequested produced -> ticket confirmed: %d ms%n", (System.nanoTime() - sent) / 1_000_000);
        Tests.awaitProcessed(event);

        Tests.asReviewer().queryParam("publId", publId).get("/approves").then().statusCode(200).header("X-Total-Count", "1")
                .body("[0].id", equalTo((int) id)).body("[0].confirmed", equalTo(true)).body("[0].appYn", equalTo("RegRequested"));
        assertThat(Tests.outbox(id)).as("confirming publishes nothing").isEmpty();
    }

    @Test
    void aLateRegRequestedOpensTheMissingTicketConfirmed() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        Tests.awaitProcessed(Tests.sendRegRequestEvent("RegRequested", request, publId));
        assertThat(Tests.ticket(request)).containsEntry("publ_id", publId).containsEntry("app_yn", "RegRequested")
                .containsEntry("confirmed", true);
        // regrequest-service's retry arriving after the event: the same ticket, still confirmed
        Tests.asOpener().contentType("application/json").body(Map.of("reqReqId", request, "publId", publId)).post("/approves")
                .then().statusCode(200).body("confirmed", equalTo(true));
    }

    @Test
    void reqCanceledCancelsAPendingReviewAndPublishesAppCanceled() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, publId);
        Tests.awaitProcessed(Tests.sendRegRequestEvent("ReqCanceled", request, publId));

        Tests.asReviewer().get("/approves/" + id).then().statusCode(200).body("appYn", equalTo("AppCanceled"));
        List<Map<String, Object>> outbox = Tests.outbox(id);
        assertThat(outbox).extracting(row -> row.get("type")).containsExactly("AppCanceled");
        JsonNode payload = Tests.conformingPayload(outbox.getFirst());
        assertThat(payload.get("reqReqId").asLong()).isEqualTo(request);
        assertThat(payload.get("id").asLong()).isEqualTo(id);
        assertThat(payload.get("publId").asLong()).isEqualTo(publId);
    }

    @Test
    void reqCanceledCancelsAnApprovedReview() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, publId);
        Tests.asReviewer().contentType("application/json").body("{\"appYn\": \"Approved\"}").patch("/approves/" + id).then().statusCode(200);
        Tests.awaitProcessed(Tests.sendRegRequestEvent("ReqCanceled", request, publId));

        assertThat(Tests.ticket(request)).containsEntry("app_yn", "AppCanceled");
        List<Map<String, Object>> outbox = Tests.outbox(id);
        assertThat(outbox).extracting(row -> row.get("type")).containsExactly("Approved", "AppCanceled");
        outbox.forEach(Tests::conformingPayload);
    }

    @Test
    void aDuplicateDeliveryHasOneEffect() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, publId);
        UUID canceled = UUID.randomUUID();
        Tests.sendRegRequestEvent(canceled, "ReqCanceled", request, publId);
        Tests.sendRegRequestEvent(canceled, "ReqCanceled", request, publId);
        // Same key, same partition: once this later event is applied, both copies have been handled.
        Tests.awaitProcessed(Tests.sendRegRequestEvent("RegRequested", request, publId));

        assertThat(Tests.outboxTypes(id)).containsExactly("AppCanceled");
        assertThat(Tests.count("SELECT count(*) FROM processed_event WHERE event_id = ?", canceled)).isEqualTo(1);
        assertThat(Tests.ticket(request)).containsEntry("app_yn", "AppCanceled").containsEntry("confirmed", true);
    }

    @Test
    void poisonMessagesGoToTheDeadLetterTopicAndLaterEventsStillApply() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        String key = Long.toString(request);
        String payload = Tests.regRequestPayload("RegRequested", request, publId).toString();
        Tests.send(key, "not json {", Map.of("eventId", UUID.randomUUID().toString(), "eventType", "RegRequested"));
        Tests.send(key, payload, Map.of("eventType", "RegRequested"));
        Tests.send(key, payload, Map.of("eventId", UUID.randomUUID().toString(), "eventType", "BookBurned"));
        Tests.send(key, "{\"publId\": 3}", Map.of("eventId", UUID.randomUUID().toString(), "eventType", "RegRequested"));
        UUID good = Tests.sendRegRequestEvent("RegRequested", request, publId);

        Tests.awaitProcessed(good);
        assertThat(Tests.ticket(request)).containsEntry("confirmed", true).containsEntry("app_yn", "RegRequested");

        List<ConsumerRecord<String, String>> dead = Tests.deadLetters(key, 4, Tests.EVENTUALLY);
        assertThat(dead).extracting(r -> Tests.header(r, "dead-letter-reason")).hasSize(4).satisfiesExactly(
                reason -> assertThat(reason).contains("is not JSON"),
                reason -> assertThat(reason).contains("no eventId"),
                reason -> assertThat(reason).contains("unknown eventType: BookBurned"),
                reason -> assertThat(reason).contains("lacks a valid 'id'"));
        assertThat(dead.getFirst().value()).isEqualTo("not json {");
    }

    /** Produced before Quarkus booted (see EventsWhileDown): the consumer group caught up on startup. */
    @Test
    void eventsProducedWhileTheServiceWasDownAreAppliedOnStartup() {
        await().atMost(Tests.EVENTUALLY).until(() -> Tests.count(
                "SELECT count(*) FROM processed_event WHERE event_id IN (?, ?)", EventsWhileDown.FILED, EventsWhileDown.CANCELED) == 2);
        Map<String, Object> ticket = Tests.ticket(EventsWhileDown.REQUEST);
        assertThat(ticket).containsEntry("app_yn", "AppCanceled").containsEntry("confirmed", true)
                .containsEntry("publ_id", EventsWhileDown.PUBLISHER);
        long id = (Long) ticket.get("id");
        List<Map<String, Object>> outbox = Tests.outbox(id);
        assertThat(outbox).extracting(row -> row.get("type")).containsExactly("AppCanceled");
        assertThat(Tests.conformingPayload(outbox.getFirst()).get("reqReqId").asLong()).isEqualTo(EventsWhileDown.REQUEST);
    }
}
