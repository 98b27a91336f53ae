package io.bookmarket.regrequest;

import com.fasterxml.jackson.databind.JsonNode;
import io.bookmarket.contracts.Contracts;
import io.bookmarket.regrequest.messaging.ApproveEventsConsumer;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.bookmarket.regrequest.Tests.stub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** The state machine: the publisher's cancel (DELETE) and the reviewers' decisions (Approve events from Kafka). */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class CancelAndReviewTest {

    @Inject
    ApproveEventsConsumer consumer;

    @Test
    void handlesExactlyTheEventTypesItsTopicsContractNames() {
        assertThat(consumer.handlers().types()).isEqualTo(Contracts.eventTypes(Contracts.APPROVE_TOPIC));
    }

    private static final Duration EVENTUALLY = Duration.ofSeconds(20);

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void healthyApproval() {
        Tests.reset(breakers);
    }

    @Test
    void cancelKeepsTheRowAndPublishesReqCanceledOnce() {
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 31, "to cancel");
        String first = Tests.asPublisher(publId).delete("/regRequests/" + id).then().statusCode(200)
                .body("id", equalTo((int) id)).body("regYn", equalTo("ReqCanceled")).extract().asString();
        String again = Tests.asPublisher(publId).delete("/regRequests/" + id).then().statusCode(200).extract().asString();
        assertThat(again).isEqualTo(first);
        assertThat(Tests.regYn(id)).isEqualTo("ReqCanceled");

        List<Map<String, Object>> outbox = Tests.outbox(id);
        assertThat(outbox).extracting(row -> row.get("type")).containsExactly("RegRequested", "ReqCanceled");
        JsonNode payload = Tests.payload(outbox.getLast());
        Contracts.assertConforms("ReqCanceled", payload);
        assertThat(payload.get("id").asLong()).isEqualTo(id);
        assertThat(payload.get("publId").asLong()).isEqualTo(publId);
        assertThat(stub().calls()).as("cancelling does not call approval-service").isEqualTo(1);
    }

    @Test
    void cancelUnknownIs404() {
        Tests.asPublisher(Tests.newPublisher()).delete("/regRequests/876543210").then().statusCode(404)
                .contentType(startsWith("application/problem+json")).body("status", equalTo(404));
    }

    @Test
    void approvedThenCancelledByThePublisherAndTheReviewCancelEchoIsIgnored() {
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 32, "approved then cancelled");
        long ticket = stub().ticketOf(id);
        Tests.sendApproveEvent("Approved", ticket, id, publId);
        awaitStatus(id, "Approved");
        Tests.asPublisher(publId).delete("/regRequests/" + id).then().statusCode(200).body("regYn", equalTo("ReqCanceled"));
        // approval-service answers the ReqCanceled by cancelling the review: the normal echo, nothing changes
        Tests.sendApproveEvent("AppCanceled", ticket, id, publId);
        awaitApplied();
        assertThat(Tests.regYn(id)).isEqualTo("ReqCanceled");
        assertThat(Tests.outbox(id)).extracting(row -> row.get("type")).containsExactly("RegRequested", "ReqCanceled");
    }

    @Test
    void rejectedIsFinalAndCannotBeCancelled() {
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 33, "rejected");
        long ticket = stub().ticketOf(id);
        Tests.sendApproveEvent("Rejected", ticket, id, publId);
        awaitStatus(id, "Rejected");
        Tests.asPublisher(publId).delete("/regRequests/" + id).then().statusCode(409)
                .contentType(startsWith("application/problem+json")).body("status", equalTo(409))
                .body("type", equalTo("urn:bookmarket:problem:invalid-transition"));
        // a late Approved does not resurrect it
        Tests.sendApproveEvent("Approved", ticket, id, publId);
        awaitApplied();
        assertThat(Tests.regYn(id)).isEqualTo("Rejected");
        assertThat(Tests.outbox(id)).hasSize(1);
    }

    /**
     * The publisher's DELETE stored first, then a rejection that crossed it, then approval-service's answer to the
     * ReqCanceled (AppCanceled, same ticket key, so always after the Rejected): the request stays ReqCanceled, and
     * approval-service and publisher-view end AppCanceled / ReqCanceled with it. (The other order, the Rejected
     * event first: rejectedIsFinalAndCannotBeCancelled.)
     */
    @Test
    void aRejectionThatCrossedTheCancelIsIgnoredAndTheCancelStands() {
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 38, "rejected while cancelled");
        long ticket = stub().ticketOf(id);
        String cancelled = Tests.asPublisher(publId).delete("/regRequests/" + id).then().statusCode(200)
                .body("regYn", equalTo("ReqCanceled")).extract().asString();
        Tests.sendApproveEvent("Rejected", ticket, id, publId);
        awaitApplied();
        assertThat(Tests.regYn(id)).isEqualTo("ReqCanceled");
        Tests.sendApproveEvent("AppCanceled", ticket, id, publId);
        awaitApplied();
        assertThat(Tests.regYn(id)).isEqualTo("ReqCanceled");
        assertThat(Tests.asPublisher(publId).delete("/regRequests/" + id).then().statusCode(200).extract().asString())
                .as("cancelling again: the same answer").isEqualTo(cancelled);
        assertThat(Tests.outbox(id)).extracting(row -> row.get("type")).containsExactly("RegRequested", "ReqCanceled");
    }

    @Test
    void aReviewerRevokesAnApprovalAndThenItCannotBeCancelled() {
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 34, "revoked");
        long ticket = stub().ticketOf(id);
        Tests.sendApproveEvent("Approved", ticket, id, publId);
        awaitStatus(id, "Approved");
        Tests.sendApproveEvent("AppCanceled", ticket, id, publId);
        awaitStatus(id, "AppCanceled");
        Tests.asPublisher(publId).delete("/regRequests/" + id).then().statusCode(409).contentType(startsWith("application/problem+json"));
    }

    @Test
    void aReviewerMayCancelAPendingReview() {
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 35, "review cancelled while pending");
        Tests.sendApproveEvent("AppCanceled", stub().ticketOf(id), id, publId);
        awaitStatus(id, "AppCanceled");
    }

    @Test
    void aDuplicatedEventHasNoSecondEffect() {
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 36, "approved twice");
        long ticket = stub().ticketOf(id);
        var payload = Tests.JSON.createObjectNode().put("id", ticket).put("reqReqId", id).put("publId", publId)
                .put("appYn", "Approved").put("occurredAt", java.time.Instant.now().toString()).toString();
        Map<String, String> headers = Map.of("eventId", UUID.randomUUID().toString(), "eventType", "Approved");
        Tests.send(Long.toString(ticket), payload, headers);
        awaitStatus(id, "Approved");
        Map<String, Object> before = Tests.query("SELECT version, updated_at FROM reg_request WHERE id = ?", id).getFirst();
        Tests.send(Long.toString(ticket), payload, headers); // redelivered, as Debezium/Kafka may do
        awaitApplied();
        assertThat(Tests.query("SELECT version, updated_at FROM reg_request WHERE id = ?", id).getFirst()).isEqualTo(before);
        assertThat(Tests.count("SELECT count(*) FROM processed_event WHERE event_id = ?::uuid", headers.get("eventId"))).isEqualTo(1);
    }

    @Test
    void anUnreadableMessageGoesToTheDeadLetterTopicAndTheConsumerGoesOn() {
        String key = "poison-" + UUID.randomUUID();
        Tests.send(key, "this is not JSON", Map.of("eventId", UUID.randomUUID().toString(), "eventType", "Approved"));
        String noEventId = "no-event-id-" + UUID.randomUUID();
        Tests.send(noEventId, "{\"id\": 1, \"reqReqId\": 1}", Map.of("eventType", "Approved"));
        ConsumerRecord<String, String> dead = Tests.deadLetter(key, EVENTUALLY);
        assertThat(dead.value()).isEqualTo("this is not JSON");
        assertThat(Tests.header(dead, "dead-letter-reason")).contains("not JSON");
        assertThat(Tests.header(Tests.deadLetter(noEventId, EVENTUALLY), "dead-letter-reason")).contains("no eventId");
        // the consumer carries on with the next event
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 37, "after the poison");
        Tests.sendApproveEvent("Approved", stub().ticketOf(id), id, publId);
        awaitStatus(id, "Approved");
    }

    private static void awaitStatus(long id, String regYn) {
        await().atMost(EVENTUALLY).until(() -> regYn.equals(Tests.asReviewer().get("/regRequests/" + id).path("regYn")));
    }

    /**
     * Waits until every event sent so far has been consumed: a marker request is approved behind them (one
     * partition, so in order).
     */
    private static void awaitApplied() {
        long publId = Tests.newPublisher();
        long marker = Tests.file(publId, 1, "marker");
        Tests.sendApproveEvent("Approved", stub().ticketOf(marker), marker, publId);
        awaitStatus(marker, "Approved");
    }
}
