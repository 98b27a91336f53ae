package io.bookmarket.regrequest;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.bookmarket.support.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static io.bookmarket.regrequest.Tests.asPublisher;
import static io.bookmarket.regrequest.Tests.stub;
import static io.bookmarket.support.testing.AccessAnswers.assertForbidden;
import static io.bookmarket.support.testing.AccessAnswers.assertInvalidToken;
import static io.bookmarket.support.testing.AccessAnswers.assertNoToken;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Who may do what: a publisher files, reads, lists and cancels only its own requests; reviewers and admins read
 * everything and change nothing; no or a bad token is 401, a wrong role 403, problem JSON every time, never a 5xx;
 * the probes stay open. And regrequest-service's own token reaches approval-service, fetched once and cached.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class AccessTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void healthyApproval() {
        Tests.reset(breakers);
    }

    @Test
    void withoutATokenEveryEndpointIs401WithABearerChallenge() {
        long id = Tests.file(Tests.newPublisher(), 1, "exists");
        for (Function<RequestSpecification, Response> call : calls(id)) {
            assertNoToken(call.apply(given()));
        }
        assertNoToken(given().get("/regrequests/" + id)); // the lower-case alias too
        assertNothingChanged(id);
    }

    @Test
    void invalidTokensAre401AndNeverA5xx() {
        long id = Tests.file(Tests.newPublisher(), 1, "exists");
        long rows = Tests.count("SELECT count(*) FROM reg_request");
        TestTokens.hostile().forEach((kind, token) -> {
            for (Function<RequestSpecification, Response> call : calls(id)) {
                Response response = call.apply(given().header("Authorization", "Bearer " + token));
                assertThat(response.statusCode()).as(kind).isEqualTo(401);
                assertInvalidToken(response);
            }
        });
        assertThat(Tests.count("SELECT count(*) FROM reg_request")).isEqualTo(rows);
        assertNothingChanged(id);
        assertThat(stub().calls()).as("approval-service not called").isEqualTo(1);
    }

    @Test
    void reviewersAndAdminsReadEverythingButFileAndCancelNothing() {
        long publId = Tests.newPublisher();
        long id = Tests.file(publId, 2, "for review");
        for (String token : List.of(TestTokens.reviewer(), TestTokens.admin())) {
            RequestSpecification caller = given().auth().oauth2(token);
            caller.get("/regRequests/" + id).then().statusCode(200).body("publId", equalTo((int) publId));
            given().auth().oauth2(token).get("/regRequests?publId=" + publId).then().statusCode(200)
                    .header("X-Total-Count", "1");
            given().auth().oauth2(token).get("/regRequests?size=100").then().statusCode(200).body("id", hasItem((int) id));
            assertForbidden(given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("bookId", 3, "bookNm", "reviewer's", "publId", publId)).post("/regRequests"));
            assertForbidden(given().auth().oauth2(token).delete("/regRequests/" + id));
        }
        assertNothingChanged(id);
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).isEqualTo(1);
    }

    @Test
    void aRoleWithoutBusinessHereIs403() {
        long id = Tests.file(Tests.newPublisher(), 1, "exists");
        for (String token : List.of(TestTokens.reviewOpener(), TestTokens.withRoles("nobody"))) {
            for (Function<RequestSpecification, Response> call : calls(id)) {
                assertForbidden(call.apply(given().auth().oauth2(token)));
            }
        }
        assertNothingChanged(id);
    }

    @Test
    void aPublisherNeverSeesNorTouchesAnotherPublishersRequest() {
        long p100 = Tests.newPublisher();
        long p200 = Tests.newPublisher();
        long theirs = Tests.file(p100, 10, "publisher 100's book");
        long own = Tests.file(p200, 20, "publisher 200's book");
        long unknown = 987_654_321L;
        int approvalCalls = stub().calls();

        // reading or cancelling another's request is answered exactly like a request that does not exist
        Response notFound = asPublisher(p200).get("/regRequests/" + unknown);
        notFound.then().statusCode(404);
        Response other = asPublisher(p200).get("/regRequests/" + theirs);
        other.then().statusCode(404).contentType("application/problem+json");
        assertThat(other.<String>path("detail")).isEqualTo(notFound.<String>path("detail").replace(Long.toString(unknown), Long.toString(theirs)));
        assertThat(other.<String>path("title")).isEqualTo(notFound.<String>path("title"));
        asPublisher(p200).delete("/regRequests/" + theirs).then().statusCode(404)
                .body("type", equalTo("urn:bookmarket:problem:not-found"));
        asPublisher(p200).get("/regrequests/" + theirs).then().statusCode(404);
        asPublisher(p200).delete("/regrequests/" + theirs).then().statusCode(404);

        // filing in another's name is refused, and nothing is stored or asked of approval-service
        long before = Tests.count("SELECT count(*) FROM reg_request");
        assertForbidden(asPublisher(p200).contentType(ContentType.JSON)
                .body(Map.of("bookId", 11, "bookNm", "in another's name", "publId", p100)).post("/regRequests"));
        assertForbidden(asPublisher(p200).contentType(ContentType.JSON).header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("bookId", 11, "bookNm", "in another's name", "publId", p100)).post("/regRequests"));
        assertThat(Tests.count("SELECT count(*) FROM reg_request")).isEqualTo(before);
        assertThat(stub().calls()).isEqualTo(approvalCalls);

        // lists hold only the publisher's own; asking for another's list is refused
        Response list = asPublisher(p200).get("/regRequests?size=100");
        list.then().statusCode(200).header("X-Total-Count", "1");
        assertThat(list.jsonPath().getList("id", Long.class)).containsExactly(own);
        asPublisher(p200).get("/regRequests?publId=" + p200).then().statusCode(200).header("X-Total-Count", "1");
        assertForbidden(asPublisher(p200).get("/regRequests?publId=" + p100));

        // and publisher 100's request is untouched
        assertNothingChanged(theirs);
        asPublisher(p100).get("/regRequests/" + theirs).then().statusCode(200).body("regYn", equalTo("RegRequested"));
    }

    @Test
    void aPublisherTokenWithoutPublIdCannotFile() {
        long before = Tests.count("SELECT count(*) FROM reg_request");
        assertForbidden(given().auth().oauth2(TestTokens.publisherWithoutPublId()).contentType(ContentType.JSON)
                .body(Map.of("bookId", 1, "bookNm", "whose?", "publId", 1)).post("/regRequests"));
        assertThat(Tests.count("SELECT count(*) FROM reg_request")).isEqualTo(before);
    }

    @Test
    void idempotencyKeysArePerPublisher() {
        String key = UUID.randomUUID().toString();
        long a = Tests.newPublisher();
        long b = Tests.newPublisher();
        long first = asPublisher(a).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("bookId", 5, "bookNm", "same key", "publId", a)).post("/regRequests")
                .then().statusCode(201).extract().<Number>path("id").longValue();
        long second = asPublisher(b).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("bookId", 5, "bookNm", "same key", "publId", b)).post("/regRequests")
                .then().statusCode(201).body("publId", equalTo((int) b)).extract().<Number>path("id").longValue();
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void probesAndMetricsStayOpenWhateverTheToken() {
        for (RequestSpecification caller : List.of(given(), given().header("Authorization", "Bearer " + TestTokens.expired()))) {
            caller.get("/q/health/ready").then().statusCode(200);
        }
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/started").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void openApiDeclaresTheBearerSchemeAndEachOperationsSecurity() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("components.securitySchemes.bearer.type", equalTo("http"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("paths.'/regRequests'.post.security[0].bearer", notNullValue())
                .body("paths.'/regRequests'.get.security[0].bearer", notNullValue())
                .body("paths.'/regRequests/{id}'.delete.security[0].bearer", notNullValue())
                .body("paths.'/regRequests'.post.responses.'401'", notNullValue())
                .body("paths.'/regRequests'.post.responses.'403'", notNullValue());
    }

    @Test
    void theServicesOwnTokenReachesApprovalServiceFetchedOnceAndCached() {
        long publId = Tests.newPublisher();
        List<Long> filed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            filed.add(Tests.file(publId, 40 + i, "cached token " + i));
        }
        // Each filing reached approval-service (a slow first call may have been retried: counted by request, not by call).
        assertThat(filed).allSatisfy(id -> assertThat(stub().ticketOf(id)).as("request %d's review", id).isNotNull());
        assertThat(stub().refused()).as("every call carried a token the token endpoint issued").isZero();
        assertThat(stub().tokenRequests()).as("one token for all five calls (or one from an earlier test)").isLessThanOrEqualTo(1);
    }

    /** Every endpoint, for one caller: file, list, read, cancel. */
    private static List<Function<RequestSpecification, Response>> calls(long id) {
        return List.of(
                caller -> caller.contentType(ContentType.JSON).body(Map.of("bookId", 1, "bookNm", "x", "publId", 1)).post("/regRequests"),
                caller -> caller.get("/regRequests"),
                caller -> caller.get("/regRequests/" + id),
                caller -> caller.delete("/regRequests/" + id));
    }

    private static void assertNothingChanged(long id) {
        assertThat(Tests.regYn(id)).isEqualTo("RegRequested");
        assertThat(Tests.outbox(id)).extracting(row -> row.get("type")).containsExactly("RegRequested");
    }
}
