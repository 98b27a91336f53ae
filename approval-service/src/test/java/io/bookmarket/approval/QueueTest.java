package io.bookmarket.approval;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** GET /approves: the reviewers' queue (confirmed tickets only by default), filters and paging. */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(EventsWhileDown.class)
class QueueTest {

    @Test
    void pagesNewestFirstWithTheTotalInHeaders() {
        long publId = Tests.newPublisher();
        List<Integer> requests = new ArrayList<>();
        UUID last = null;
        for (int i = 0; i < 5; i++) {
            long request = Tests.newRequest();
            requests.add((int) request);
            // One key for the five (their real keys, the request ids, spread them over the topic's partitions, where
            // they would be applied in any order): one partition, applied in the order sent.
            last = UUID.randomUUID();
            Tests.send(Long.toString(publId), Tests.regRequestPayload("RegRequested", request, publId).toString(),
                    Map.of("eventId", last.toString(), "eventType", "RegRequested"));
        }
        // one partition, applied in order: the last one applied means all are
        Tests.awaitProcessed(last);

        Tests.asReviewer().queryParam("publId", publId).queryParam("size", 2).get("/approves").then().statusCode(200)
                .header("X-Total-Count", "5")
                .header("Link", containsString("rel=\"next\""))
                .body("reqReqId", contains(requests.get(4), requests.get(3)));
        Tests.asReviewer().queryParam("publId", publId).queryParam("size", 2).queryParam("page", 1).get("/approves").then().statusCode(200)
                .body("reqReqId", contains(requests.get(2), requests.get(1)));
        Tests.asReviewer().queryParam("publId", publId).queryParam("size", 2).queryParam("page", 2).get("/approves").then().statusCode(200)
                .header("Link", not(containsString("rel=\"next\"")))
                .body("reqReqId", contains(requests.get(0)));
        Tests.asReviewer().queryParam("publId", publId).get("/approves").then().statusCode(200)
                .header("X-Total-Count", "5").body("size()", equalTo(5)).body("confirmed", everyItem(equalTo(true)));
    }

    @Test
    void filtersByStatusRequestAndConfirmation() {
        long publId = Tests.newPublisher();
        long approvedRequest = Tests.newRequest();
        long pendingRequest = Tests.newRequest();
        long approvedId = Tests.confirmedTicket(approvedRequest, publId);
        long pendingId = Tests.confirmedTicket(pendingRequest, publId);
        Tests.asReviewer().contentType("application/json").body(Map.of("appYn", "Approved")).patch("/approves/" + approvedId)
                .then().statusCode(200);
        long unconfirmedId = Tests.open(Tests.newRequest(), publId);

        Tests.asReviewer().queryParam("publId", publId).get("/approves").then().statusCode(200)
                .header("X-Total-Count", "2").body("id", contains((int) pendingId, (int) approvedId));
        Tests.asReviewer().queryParam("publId", publId).queryParam("appYn", "Approved").get("/approves").then()
                .header("X-Total-Count", "1").body("id", contains((int) approvedId));
        Tests.asReviewer().queryParam("publId", publId).queryParam("appYn", "regrequested").get("/approves").then()
                .header("X-Total-Count", "1").body("id", contains((int) pendingId));
        Tests.asReviewer().queryParam("reqReqId", pendingRequest).get("/approves").then()
                .header("X-Total-Count", "1").body("id", contains((int) pendingId));
        // operators can see the tickets whose request is not stored (yet); reviewers never get them
        Tests.asReviewer().queryParam("publId", publId).queryParam("confirmed", "false").get("/approves").then()
                .header("X-Total-Count", "1").body("id", contains((int) unconfirmedId)).body("[0].confirmed", equalTo(false));
    }

    @Test
    void invalidQueryParametersAreProblemsNamingThem() {
        Map<String, String> invalid = Map.of(
                "size", "0", "page", "-1", "publId", "abc", "reqReqId", "0", "appYn", "Maybe", "confirmed", "maybe");
        invalid.forEach((name, value) -> Tests.asReviewer().queryParam(name, value).get("/approves").then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("detail", containsString("'" + name + "'")));
        Tests.asReviewer().queryParam("size", 101).get("/approves").then().statusCode(400)
                .body("detail", containsString("between 1 and 100"));
    }
}
