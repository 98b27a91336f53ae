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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/** POST /approves: one ticket per request, whatever the retries; the original's bodies; validation as problem JSON. */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(EventsWhileDown.class)
class OpeningTest {

    @Test
    void opensAPendingUnconfirmedTicketThenReturnsTheSameOneUnchanged() {
        long request = Tests.newRequest();
        Response created = Tests.asOpener().contentType(ContentType.JSON)
                .body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", 1002))
                .post("/approves");
        created.then().statusCode(201)
                .header("Location", endsWith("/approves/" + created.path("id")))
                .body("reqReqId", equalTo((int) request)).body("publId", equalTo(1002))
                .body("appYn", equalTo("RegRequested")).body("confirmed", equalTo(false))
                .body("createdAt", endsWith("Z")).body("decidedAt", nullValue());

        // regrequest-service retrying: same ticket, 200, nothing changed (not even for another publisher)
        String again = Tests.asOpener().contentType(ContentType.JSON)
                .body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", 1003))
                .post("/approves").then().statusCode(200).header("Location", nullValue()).extract().asString();
        assertThat(again).isEqualTo(created.asString());
        assertThat(Tests.count("SELECT count(*) FROM approve WHERE req_req_id = ?", request)).isEqualTo(1);
        assertThat(Tests.ticket(request)).containsEntry("publ_id", 1002L).containsEntry("version", 0L);

        Tests.asReviewer().get(created.header("Location")).then().statusCode(200).body("id", equalTo(created.<Integer>path("id")));
    }

    @Test
    void acceptsTheOriginalsLoadTestBodyAndIgnoresItsDecision() {
        long request = Tests.newRequest();
        // siege's body in the seed: field "appYN", numbers as strings, a decision already taken
        Tests.asOpener().contentType(ContentType.JSON)
                .body("{\"reqReqId\": \"" + request + "\", \"appYN\": \"Y\", \"publId\":\"1002\"}")
                .post("/approves").then().statusCode(201)
                .body("reqReqId", equalTo((int) request)).body("publId", equalTo(1002))
                .body("appYn", equalTo("RegRequested")).body("confirmed", equalTo(false));

        long other = Tests.newRequest();
        Tests.asOpener().contentType(ContentType.JSON)
                .body("{\"REQREQID\": " + other + ", \"AppYn\": \"Approved\", \"PublId\": 7}")
                .post("/approves").then().statusCode(201)
                .body("reqReqId", equalTo((int) other)).body("appYn", equalTo("RegRequested"));
        assertThat(Tests.ticket(other)).containsEntry("app_yn", "RegRequested").containsEntry("confirmed", false);
    }

    @Test
    void concurrentDuplicatesCreateOneTicket() throws Exception {
        long request = Tests.newRequest();
        int callers = 12;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            calls.add(() -> {
                start.await();
                return Tests.asOpener().contentType(ContentType.JSON)
                        .body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", 1002)).post("/approves");
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Response>> futures = new ArrayList<>();
            for (Callable<Response> call : calls) {
                futures.add(pool.submit(call));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            for (Future<Response> future : futures) {
                Response response = future.get();
                statuses.add(response.statusCode());
                ids.add(response.path("id"));
            }
            assertThat(statuses).containsOnly(200, 201).filteredOn(s -> s == 201).hasSize(1);
            assertThat(ids).containsOnly(ids.getFirst());
        } finally {
            pool.shutdownNow();
        }
        assertThat(Tests.count("SELECT count(*) FROM approve WHERE req_req_id = ?", request)).isEqualTo(1);
    }

    @Test
    void invalidBodiesAreProblemsNamingTheField() {
        problem(Map.of("publId", 1002), "reqReqId");
        problem(Map.of("reqReqId", 0, "publId", 1002), "reqReqId");
        problem(Map.of("reqReqId", Tests.newRequest(), "publId", -5), "publId");
        problem(Map.of("reqReqId", "ten", "publId", 1002), "reqReqId");
        problem(Map.of("reqReqId", 10.5, "publId", 1002), "reqReqId");
        Tests.asOpener().contentType(ContentType.JSON).body("{}").post("/approves").then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("errors.field", hasItem("reqReqId")).body("errors.field", hasItem("publId"));
    }

    @Test
    void malformedOrMissingBodiesAndWrongMediaTypesAreProblems() {
        Tests.asOpener().contentType(ContentType.JSON).body("{\"reqReqId\": 12,").post("/approves").then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("status", equalTo(400))
                .body("type", equalTo("urn:bookmarket:problem:malformed-json"));
        Tests.asOpener().contentType(ContentType.JSON).post("/approves").then().statusCode(400)
                .contentType(startsWith("application/problem+json"));
        Tests.asOpener().contentType(ContentType.TEXT).body("reqReqId=12").post("/approves").then().statusCode(415)
                .contentType(startsWith("application/problem+json")).body("status", equalTo(415));
    }

    @Test
    void unknownTicketsAreNotFoundProblems() {
        Tests.asReviewer().get("/approves/987654321").then().statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("type", equalTo("urn:bookmarket:problem:not-found")).body("detail", containsString("987654321"));
        Tests.asReviewer().get("/approves/not-a-number").then().statusCode(404).contentType(startsWith("application/problem+json"));
    }

    @Test
    void openApiDocumentsTheEndpointsWithExamples() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/approves'.post.requestBody.content.'application/json'.examples", org.hamcrest.Matchers.aMapWithSize(2))
                .body("paths.'/approves/{id}'.patch.responses.'409'.description", containsString("concurrently"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    private static void problem(Map<String, Object> body, String field) {
        Tests.asOpener().contentType(ContentType.JSON).body(body).post("/approves").then().statusCode(400)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(400)).body("errors.field", hasItem(field));
    }
}
