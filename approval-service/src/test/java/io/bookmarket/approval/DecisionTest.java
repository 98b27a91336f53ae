package io.bookmarket.approval;

import com.fasterxml.jackson.databind.JsonNode;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/** PATCH /approves/{id}: the state machine, exactly one conforming outbox event per change, and every refusal as a problem. */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(EventsWhileDown.class)
class DecisionTest {

    @Test
    void approvingPublishesOneApprovedEventAndRepeatingChangesNothing() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, publId);

        String approved = decide(id, "Approved").then().statusCode(200)
                .body("id", equalTo((int) id)).body("appYn", equalTo("Approved")).body("confirmed", equalTo(true))
                .body("decidedAt", notNullValue()).extract().asString();
        List<Map<String, Object>> outbox = Tests.outbox(id);
        assertThat(outbox).hasSize(1);
        assertThat(outbox.getFirst()).containsEntry("aggregatetype", "Approve").containsEntry("type", "Approved");
        JsonNode payload = Tests.conformingPayload(outbox.getFirst());
        assertThat(payload.get("id").asLong()).isEqualTo(id);
        assertThat(payload.get("reqReqId").asLong()).isEqualTo(request);
        assertThat(payload.get("publId").asLong()).isEqualTo(publId);
        assertThat(payload.get("appYn").asText()).isEqualTo("Approved");
        assertThat(payload.get("occurredAt").asText()).isEqualTo(Tests.asReviewer().get("/approves/" + id).path("decidedAt"));

        // the same decision again (and the original's "Y"): 200, same ticket, no second event
        assertThat(decide(id, "Approved").then().statusCode(200).extract().asString()).isEqualTo(approved);
        decide(id, "Y").then().statusCode(200).body("appYn", equalTo("Approved"));
        assertThat(Tests.outboxTypes(id)).containsExactly("Approved");
    }

    @Test
    void rejectedIsFinalForReviewers() {
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, Tests.newPublisher());
        // the original's spelling: "appYN" and "N"
        Tests.asReviewer().contentType(ContentType.JSON).body("{\"appYN\": \"N\"}").patch("/approves/" + id)
                .then().statusCode(200).body("appYn", equalTo("Rejected"));
        Tests.conformingPayload(Tests.outbox(id).getFirst());

        for (String next : List.of("Approved", "AppCanceled")) {
            decide(id, next).then().statusCode(409).contentType(startsWith("application/problem+json"))
                    .body("type", equalTo("urn:bookmarket:problem:invalid-transition"))
                    .body("detail", containsString("Rejected")).body("instance", equalTo("/approves/" + id));
        }
        assertThat(Tests.outboxTypes(id)).containsExactly("Rejected");
        assertThat(Tests.ticket(request)).containsEntry("app_yn", "Rejected");
    }

    @Test
    void anApprovalCanBeCancelledAndThenNothingElse() {
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, Tests.newPublisher());
        decide(id, "Y").then().statusCode(200).body("appYn", equalTo("Approved"));
        decide(id, "AppCanceled").then().statusCode(200).body("appYn", equalTo("AppCanceled"));
        decide(id, "Approved").then().statusCode(409).contentType(startsWith("application/problem+json"));
        decide(id, "Rejected").then().statusCode(409);

        List<Map<String, Object>> outbox = Tests.outbox(id);
        assertThat(outbox).extracting(row -> row.get("type")).containsExactly("Approved", "AppCanceled");
        outbox.forEach(row -> assertThat(Tests.conformingPayload(row).get("reqReqId").asLong()).isEqualTo(request));
    }

    @Test
    void aPendingReviewCanBeCancelledByAReviewer() {
        long id = Tests.confirmedTicket(Tests.newRequest(), Tests.newPublisher());
        // JSON merge patch (RFC 7396) is accepted too: the body is the same
        Tests.asReviewer().contentType("application/merge-patch+json").body("{\"appYn\": \"AppCanceled\"}").patch("/approves/" + id)
                .then().statusCode(200).body("appYn", equalTo("AppCanceled"));
        assertThat(Tests.outboxTypes(id)).containsExactly("AppCanceled");
        Tests.conformingPayload(Tests.outbox(id).getFirst());
    }

    @Test
    void anUnconfirmedTicketCannotBeDecided() {
        long request = Tests.newRequest();
        long id = Tests.open(request, Tests.newPublisher());
        decide(id, "Approved").then().statusCode(409).contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:bookmarket:problem:not-confirmed"))
                .body("detail", containsString("not yet confirmed"));
        assertThat(Tests.ticket(request)).containsEntry("app_yn", "RegRequested");
        assertThat(Tests.outbox(id)).isEmpty();
    }

    @Test
    void unknownTicketsAndDecisionsAreProblems() {
        decide(987654321, "Approved").then().statusCode(404).contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:bookmarket:problem:not-found"));

        long id = Tests.confirmedTicket(Tests.newRequest(), Tests.newPublisher());
        for (String value : List.of("Maybe", "RegRequested", "", "ReqCanceled")) {
            decide(id, value).then().statusCode(400).contentType(startsWith("application/problem+json"))
                    .body("errors.field", hasItem("appYn")).body("detail", containsString("appYn"));
        }
        Tests.asReviewer().contentType(ContentType.JSON).body("{}").patch("/approves/" + id).then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("errors.field", hasItem("appYn"));
        Tests.asReviewer().contentType(ContentType.JSON).body("{\"appYn\": 42}").patch("/approves/" + id).then().statusCode(400)
                .contentType(startsWith("application/problem+json"));
        Tests.asReviewer().contentType(ContentType.JSON).body("{\"appYn\": ").patch("/approves/" + id).then().statusCode(400)
                .contentType(startsWith("application/problem+json"));
        assertThat(Tests.outbox(id)).isEmpty();
    }

    /** A writer holds the row while a PATCH runs: the PATCH's version check fails -> 409, nothing stored, no event. */
    @Test
    void aConcurrentChangeIsAConflictNeverA500() throws Exception {
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, Tests.newPublisher());
        CompletableFuture<Response> patch;
        try (Connection db = StackTestResource.shared().mariaDb().connect(Tests.DATABASE)) {
            db.setAutoCommit(false);
            try (PreparedStatement bump = db.prepareStatement("UPDATE approve SET version = version + 1 WHERE id = ?")) {
                bump.setLong(1, id);
                assertThat(bump.executeUpdate()).isEqualTo(1);
            }
            patch = CompletableFuture.supplyAsync(() -> decide(id, "Approved"));
            // the PATCH read version 0 and now waits for our row lock to write its change
            await().atMost(Tests.EVENTUALLY).until(() -> Tests.count("""
                    SELECT count(*) FROM information_schema.processlist
                    WHERE command = 'Query' AND lower(info) LIKE 'update approve%'""") == 1);
            db.commit();
        }
        patch.get().then().statusCode(409).contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:bookmarket:problem:concurrent-change"))
                .body("instance", equalTo("/approves/" + id));
        assertThat(Tests.ticket(request)).containsEntry("app_yn", "RegRequested");
        assertThat(Tests.outbox(id)).isEmpty();

        // reading again and retrying works
        decide(id, "Approved").then().statusCode(200);
        assertThat(Tests.outboxTypes(id)).containsExactly("Approved");
    }

    @Test
    void racingReviewersProduceExactlyOneDecisionAndEvent() throws Exception {
        int reviewers = 10;
        int conflicts = 0;
        for (int round = 0; round < 3; round++) {
            long request = Tests.newRequest();
            long id = Tests.confirmedTicket(request, Tests.newPublisher());
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(reviewers);
            List<Future<Response>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < reviewers; i++) {
                    String decision = i % 2 == 0 ? "Approved" : "Rejected";
                    answers.add(pool.submit(() -> {
                        start.await();
                        return decide(id, decision);
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Response> answer : answers) {
                    Response response = answer.get();
                    statuses.add(response.statusCode());
                    if (response.statusCode() == 409) {
                        assertThat(response.contentType()).startsWith("application/problem+json");
                        if ("urn:bookmarket:problem:concurrent-change".equals(response.path("type"))) {
                            conflicts++;
                        }
                    }
                }
                assertThat(statuses).containsOnly(200, 409).contains(200);
            } finally {
                pool.shutdownNow();
            }
            String finalStatus = (String) Tests.ticket(request).get("app_yn");
            assertThat(Tests.outboxTypes(id)).containsExactly(finalStatus);
        }
        System.out.printf("Racing reviewers: %d of %d PATCHes refused by the version check (409 concurrent-change)%n",
                conflicts, 3 * reviewers);
    }

    private static Response decide(long id, String appYn) {
        return Tests.asReviewer().contentType(ContentType.JSON).body(Map.of("appYn", appYn)).patch("/approves/" + id);
    }
}
