package io.bookmarket.regrequest;

import com.fasterxml.jackson.databind.JsonNode;
import io.bookmarket.contracts.Contracts;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.bookmarket.regrequest.Tests.stub;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Filing, reading and listing requests, with approval-service answering. */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class FilingTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void healthyApproval() {
        Tests.reset(breakers);
    }

    @Test
    void filingOpensTheReviewThenStoresTheRequestAndItsEventTogether() {
        long publId = Tests.newPublisher();
        Response created = Tests.asPublisher(publId).contentType(ContentType.JSON)
                .body(Map.of("bookId", 99, "bookNm", "mybook", "publId", publId))
                .post("/regRequests");
        created.then().statusCode(201).contentType(ContentType.JSON)
                .body("bookId", equalTo(99)).body("bookNm", equalTo("mybook")).body("publId", equalTo((int) publId))
                .body("regYn", equalTo("RegRequested"));
        long id = created.<Number>path("id").longValue();
        assertThat(created.header("Location")).endsWith("/regRequests/" + id);
        assertThat(Instant.parse(created.path("createdAt"))).isEqualTo(Instant.parse(created.path("updatedAt")));

        // approval-service was asked to open the review of exactly this request
        assertThat(stub().calls()).isEqualTo(1);
        JsonNode ticketRequest = stub().received().getFirst();
        assertThat(ticketRequest.get("reqReqId").asLong()).isEqualTo(id);
        assertThat(ticketRequest.get("appYn").asText()).isEqualTo("RegRequested");
        assertThat(ticketRequest.get("publId").asLong()).isEqualTo(publId);

        Map<String, Object> row = Tests.query("SELECT * FROM reg_request WHERE id = ?", id).getFirst();
        assertThat(row).containsEntry("book_id", 99L).containsEntry("book_nm", "mybook")
                .containsEntry("publ_id", publId).containsEntry("reg_yn", "RegRequested");

        List<Map<String, Object>> outbox = Tests.outbox(id);
        assertThat(outbox).hasSize(1);
        assertThat(outbox.getFirst()).containsEntry("type", "RegRequested").containsEntry("aggregateid", Long.toString(id));
        JsonNode payload = Tests.payload(outbox.getFirst());
        Contracts.assertConforms("RegRequested", payload);
        assertThat(payload.get("id").asLong()).isEqualTo(id);
        assertThat(payload.get("bookNm").asText()).isEqualTo("mybook");
        assertThat(payload.get("publId").asLong()).isEqualTo(publId);
        assertThat(Instant.parse(payload.get("occurredAt").asText())).isEqualTo(Instant.parse(created.path("createdAt")));

        Tests.asPublisher(publId).get("/regRequests/" + id).then().statusCode(200)
                .body("id", equalTo((int) id)).body("regYn", equalTo("RegRequested")).body("bookNm", equalTo("mybook"));
    }

    @Test
    void theOriginalsRequestBodiesAreAcceptedAndTheirRegYnIgnored() {
        // httpie's "http POST :8085/regRequests bookId=99 bookNm=mybook publId=100" sends strings
        Tests.asPublisher(100).contentType(ContentType.JSON).body("{\"bookId\": \"99\", \"bookNm\": \"mybook\", \"publId\": \"100\"}")
                .post("/regRequests").then().statusCode(201)
                .body("bookId", equalTo(99)).body("publId", equalTo(100)).body("regYn", equalTo("RegRequested"));
        // the load test's body, on the lower-case path it used through its gateway
        Response loadTest = Tests.asPublisher(11).contentType(ContentType.JSON)
                .body("{\"bookId\": \"10\", \"bookNm\": \"mybooks\", \"regYn\": \"Y\", \"publId\": \"11\"}")
                .post("/regrequests");
        loadTest.then().statusCode(201).body("bookId", equalTo(10)).body("publId", equalTo(11))
                .body("regYn", equalTo("RegRequested"));
        long id = loadTest.<Number>path("id").longValue();
        assertThat(Tests.regYn(id)).isEqualTo("RegRequested");
        assertThat(loadTest.header("Location")).endsWith("/regRequests/" + id);
    }

    @Test
    void theLowerCasePathAnswersEveryMethod() {
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 5, "lower case");
        Tests.asPublisher(publId).get("/regrequests/" + id).then().statusCode(200).body("id", equalTo((int) id));
        Tests.asPublisher(publId).get("/regrequests?publId=" + publId).then().statusCode(200).body("size()", equalTo(1));
        Tests.asPublisher(publId).delete("/regrequests/" + id).then().statusCode(200).body("regYn", equalTo("ReqCanceled"));
        Tests.asPublisher(publId).get("/regrequests/999999999").then().statusCode(404).contentType(startsWith("application/problem+json"));
    }

    @Test
    void unknownRequestIsA404Problem() {
        Tests.asReviewer().get("/regRequests/987654321").then().statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("status", equalTo(404)).body("type", equalTo("urn:bookmarket:problem:not-found"))
                .body("detail", equalTo("There is no registration request with id 987654321."));
    }

    @Test
    void listIsNewestFirstAndPagedInHeaders() {
        long publId = Tests.newPublisher();
        long first = Tests.file(publId, 1, "first");
        long second = Tests.file(publId, 2, "second");
        long third = Tests.file(publId, 3, "third");
        Tests.file(Tests.newPublisher(), 4, "someone else's");

        Response all = Tests.asPublisher(publId).get("/regRequests?publId=" + publId);
        all.then().statusCode(200).header("X-Total-Count", "3");
        assertThat(all.jsonPath().getList("id", Long.class)).containsExactly(third, second, first);

        Response page1 = Tests.asPublisher(publId).get("/regRequests?publId=" + publId + "&page=1&size=2");
        page1.then().statusCode(200).header("X-Total-Count", "3");
        assertThat(page1.jsonPath().getList("id", Long.class)).containsExactly(first);
        assertThat(page1.header("Link")).contains("rel=\"prev\"").contains("rel=\"first\"").doesNotContain("rel=\"next\"")
                .contains("page=0").contains("publId=" + publId);
        assertThat(Tests.asReviewer().get("/regRequests?publId=" + publId + "&page=0&size=2").header("Link")).contains("rel=\"next\"");

        Tests.asPublisher(publId).get("/regRequests?publId=" + publId + "&page=5").then().statusCode(200).body("size()", equalTo(0));
        // a reviewer without publId: everyone's requests, newest first
        Response everyone = Tests.asReviewer().get("/regRequests?size=100");
        List<Long> ids = everyone.jsonPath().getList("id", Long.class);
        assertThat(ids).contains(first, second, third);
        assertThat(ids.indexOf(third)).isLessThan(ids.indexOf(first));
    }

    @Test
    void badPagingIsA400Problem() {
        for (String query : List.of("page=-1", "page=abc", "size=0", "size=101", "size=x", "publId=0", "publId=abc")) {
            String field = query.substring(0, query.indexOf('='));
            Tests.asReviewer().get("/regRequests?" + query).then().statusCode(400)
                    .contentType(startsWith("application/problem+json"))
                    .body("status", equalTo(400)).body("detail", org.hamcrest.Matchers.containsString("'" + field + "'"));
        }
        Tests.asReviewer().get("/regRequests?size=100").then().statusCode(200);
    }

    @Test
    void openApiAndSwaggerUiAreServed() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/regRequests'.post.responses.'503'.description", startsWith("approval-service"))
                .body("paths.'/regRequests/{id}'.delete.responses.'409'", org.hamcrest.Matchers.notNullValue());
        given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
