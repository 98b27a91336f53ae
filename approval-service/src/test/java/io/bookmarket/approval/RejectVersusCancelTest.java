package io.bookmarket.approval;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * A reviewer's rejection against the publisher's cancel (ReqCanceled, through the real topic), in each order and
 * concurrently: the publisher's cancel wins, as it does against an approval. The ticket ends AppCanceled and
 * AppCanceled is published once, so regrequest-service (ReqCanceled) and publisher-view (ReqCanceled) agree with it.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(EventsWhileDown.class)
class RejectVersusCancelTest {

    @Test
    void aCancelArrivingAfterTheRejectionCancelsTheReview() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, publId);
        reject(id).then().statusCode(200).body("appYn", equalTo("Rejected"));

        Tests.awaitProcessed(Tests.sendRegRequestEvent("ReqCanceled", request, publId));

        Tests.asReviewer().get("/approves/" + id).then().statusCode(200).body("appYn", equalTo("AppCanceled"))
                .body("decidedAt", org.hamcrest.Matchers.notNullValue());
        List<Map<String, Object>> outbox = Tests.outbox(id);
        assertThat(outbox).extracting(row -> row.get("type")).containsExactly("Rejected", "AppCanceled");
        var cancelled = Tests.conformingPayload(outbox.getLast());
        assertThat(cancelled.get("id").asLong()).isEqualTo(id);
        assertThat(cancelled.get("reqReqId").asLong()).isEqualTo(request);
        assertThat(cancelled.get("publId").asLong()).isEqualTo(publId);
        assertThat(cancelled.get("appYn").asText()).isEqualTo("AppCanceled");

        // Reviewers still cannot move it anywhere, and a redelivery or another ReqCanceled publishes nothing more.
        for (String next : List.of("Rejected", "Approved")) {
            decide(id, next).then().statusCode(409).contentType(startsWith("application/problem+json"))
                    .body("type", equalTo("urn:bookmarket:problem:invalid-transition"));
        }
        Tests.awaitProcessed(Tests.sendRegRequestEvent("ReqCanceled", request, publId));
        assertThat(Tests.outboxTypes(id)).containsExactly("Rejected", "AppCanceled");
        assertThat(Tests.ticket(request)).containsEntry("app_yn", "AppCanceled").containsEntry("confirmed", true);
    }

    @Test
    void aRejectionArrivingAfterTheCancelIsRefused() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, publId);
        Tests.awaitProcessed(Tests.sendRegRequestEvent("ReqCanceled", request, publId));

        reject(id).then().statusCode(409).contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:bookmarket:problem:invalid-transition"))
                .body("detail", org.hamcrest.Matchers.containsString("AppCanceled"));

        assertThat(Tests.ticket(request)).containsEntry("app_yn", "AppCanceled");
        assertThat(Tests.outboxTypes(id)).containsExactly("AppCanceled");
        Tests.conformingPayload(Tests.outbox(id).getFirst());
    }

    @Test
    void aReviewAlreadyCancelledStaysAsItIsAndUnknownRequestsAreIgnored() {
        long publId = Tests.newPublisher();
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, publId);
        decide(id, "AppCanceled").then().statusCode(200);
        Tests.awaitProcessed(Tests.sendRegRequestEvent("ReqCanceled", request, publId));
        assertThat(Tests.outboxTypes(id)).as("no second AppCanceled").containsExactly("AppCanceled");

        long unknown = Tests.newRequest();
        Tests.awaitProcessed(Tests.sendRegRequestEvent("ReqCanceled", unknown, publId));
        assertThat(Tests.ticket(unknown)).as("no ticket is made up for a cancelled request").isNull();
    }

    /**
     * The PATCH and the ReqCanceled start together on many tickets. Whichever lands first, every ticket ends
     * AppCanceled with exactly one AppCanceled event; a PATCH that answered 200 left its Rejected event before it.
     */
    @Test
    void concurrentRejectionsAndCancelsAllEndCancelled() throws Exception {
        int tickets = 24;
        long publId = Tests.newPublisher();
        List<Long> requests = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < tickets; i++) {
            long request = Tests.newRequest();
            requests.add(request);
            ids.add(Tests.confirmedTicket(request, publId));
        }
        List<Future<Response>> patches = new ArrayList<>();
        List<UUID> cancels = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<UUID>> sent = new ArrayList<>();
            for (int i = 0; i < tickets; i++) {
                long request = requests.get(i);
                long id = ids.get(i);
                CyclicBarrier together = new CyclicBarrier(2);
                patches.add(pool.submit(() -> {
                    together.await();
                    return reject(id);
                }));
                sent.add(pool.submit(() -> {
                    together.await();
                    return Tests.sendRegRequestEvent("ReqCanceled", request, publId);
                }));
            }
            for (Future<UUID> s : sent) {
                cancels.add(s.get());
            }
        } finally {
            pool.shutdown();
        }
        cancels.forEach(Tests::awaitProcessed);

        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < tickets; i++) {
            Response patch = patches.get(i).get();
            long id = ids.get(i);
            assertThat(patch.statusCode()).as("PATCH Rejected of review %d: %s", id, patch.asString()).isIn(200, 409);
            assertThat(Tests.ticket(requests.get(i))).as("review %d", id).containsEntry("app_yn", "AppCanceled");
            List<Object> types = Tests.outboxTypes(id);
            if (patch.statusCode() == 200) {
                assertThat(types).as("events of review %d", id).containsExactlyInAnyOrder("Rejected", "AppCanceled");
            } else {
                assertThat(patch.contentType()).startsWith("application/problem+json");
                assertThat(types).as("events of review %d", id).containsExactly("AppCanceled");
            }
            Tests.outbox(id).forEach(Tests::conformingPayload);
            outcomes.merge("PATCH " + patch.statusCode() + " -> " + String.join("+", types.stream().map(String::valueOf).toList()),
                    1, Integer::sum);
        }
        System.out.printf("Reject vs cancel, %d concurrent pairs: %s; every review AppCanceled%n", tickets, outcomes);
    }

    private static Response reject(long id) {
        return decide(id, "Rejected");
    }

    private static Response decide(long id, String appYn) {
        return Tests.asReviewer().contentType(ContentType.JSON).body(Map.of("appYn", appYn)).patch("/approves/" + id);
    }
}
