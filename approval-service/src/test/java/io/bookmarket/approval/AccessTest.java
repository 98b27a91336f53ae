package io.bookmarket.approval;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.bookmarket.support.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.bookmarket.support.testing.AccessAnswers.assertForbidden;
import static io.bookmarket.support.testing.AccessAnswers.assertInvalidToken;
import static io.bookmarket.support.testing.AccessAnswers.assertNoToken;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Who may do what: only regrequest-service (role review-opener) opens tickets; reviewers and admins list, read and
 * decide; publishers have no access at all. No or a bad token is 401, a wrong role 403, problem JSON every time.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(EventsWhileDown.class)
class AccessTest {

    @Test
    void withoutATokenEveryEndpointIs401WithABearerChallenge() {
        long id = Tests.confirmedTicket(Tests.newRequest(), Tests.newPublisher());
        for (Function<RequestSpecification, Response> call : calls(id, Tests.newRequest())) {
            assertNoToken(call.apply(given()));
        }
        assertUndecided(id);
    }

    @Test
    void invalidTokensAre401AndNeverA5xx() {
        long id = Tests.confirmedTicket(Tests.newRequest(), Tests.newPublisher());
        long request = Tests.newRequest();
        TestTokens.hostile().forEach((kind, token) -> {
            for (Function<RequestSpecification, Response> call : calls(id, request)) {
                Response response = call.apply(given().header("Authorization", "Bearer " + token));
                assertThat(response.statusCode()).as(kind).isEqualTo(401);
                assertInvalidToken(response);
            }
        });
        assertThat(Tests.ticket(request)).as("no review opened").isNull();
        assertUndecided(id);
    }

    @Test
    void publishersHaveNoAccessAtAll() {
        long publId = Tests.newPublisher();
        long id = Tests.confirmedTicket(Tests.newRequest(), publId);
        long request = Tests.newRequest();
        for (Function<RequestSpecification, Response> call : calls(id, request)) {
            assertForbidden(call.apply(given().auth().oauth2(TestTokens.publisher(publId))));
        }
        // not even approving its own request
        assertForbidden(given().auth().oauth2(TestTokens.publisher(publId)).contentType(ContentType.JSON)
                .body(Map.of("appYn", "Approved")).patch("/approves/" + id));
        assertThat(Tests.ticket(request)).as("no review opened").isNull();
        assertUndecided(id);
    }

    @Test
    void onlyTheReviewOpenerOpensTickets() {
        for (String token : List.of(TestTokens.reviewer(), TestTokens.admin(), TestTokens.withRoles("nobody"))) {
            long request = Tests.newRequest();
            assertForbidden(given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", 1)).post("/approves"));
            assertThat(Tests.ticket(request)).isNull();
        }
        long request = Tests.newRequest();
        Tests.asOpener().contentType(ContentType.JSON).body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", 1))
                .post("/approves").then().statusCode(201);
        assertThat(Tests.ticket(request)).isNotNull();
    }

    @Test
    void theReviewOpenerNeitherReadsNorDecides() {
        long id = Tests.confirmedTicket(Tests.newRequest(), Tests.newPublisher());
        for (Function<RequestSpecification, Response> call : calls(id, Tests.newRequest()).subList(1, 4)) {
            assertForbidden(call.apply(Tests.asOpener()));
        }
        assertUndecided(id);
    }

    @Test
    void reviewersAndAdminsListReadAndDecide() {
        long publId = Tests.newPublisher();
        long first = Tests.confirmedTicket(Tests.newRequest(), publId);
        long second = Tests.confirmedTicket(Tests.newRequest(), publId);
        for (String token : List.of(TestTokens.reviewer(), TestTokens.admin())) {
            given().auth().oauth2(token).queryParam("publId", publId).get("/approves").then().statusCode(200)
                    .header("X-Total-Count", "2");
            given().auth().oauth2(token).get("/approves/" + first).then().statusCode(200);
        }
        given().auth().oauth2(TestTokens.reviewer()).contentType(ContentType.JSON).body(Map.of("appYn", "Approved"))
                .patch("/approves/" + first).then().statusCode(200).body("appYn", equalTo("Approved"));
        given().auth().oauth2(TestTokens.admin()).contentType(ContentType.JSON).body(Map.of("appYn", "Rejected"))
                .patch("/approves/" + second).then().statusCode(200).body("appYn", equalTo("Rejected"));
    }

    @Test
    void probesAndMetricsStayOpenWhateverTheToken() {
        given().header("Authorization", "Bearer " + TestTokens.tampered()).get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/started").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void openApiDeclaresTheBearerSchemeAndEachOperationsSecurity() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("paths.'/approves'.post.security[0].bearer", notNullValue())
                .body("paths.'/approves/{id}'.patch.security[0].bearer", notNullValue())
                .body("paths.'/approves/{id}'.patch.responses.'403'", notNullValue());
    }

    /**
     * Every endpoint, for one caller: open (a review of {@code request}), list, read, decide. A test checks that no
     * review of {@code request} exists afterwards, not the table's row count: the expiry job removes other tests'
     * unconfirmed tickets at any moment.
     */
    private static List<Function<RequestSpecification, Response>> calls(long id, long request) {
        return List.of(
                caller -> caller.contentType(ContentType.JSON)
                        .body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", 1)).post("/approves"),
                caller -> caller.get("/approves"),
                caller -> caller.get("/approves/" + id),
                caller -> caller.contentType(ContentType.JSON).body(Map.of("appYn", "Approved")).patch("/approves/" + id));
    }

    private static void assertUndecided(long id) {
        assertThat(Tests.query("SELECT app_yn FROM approve WHERE id = ?", id).getFirst().get("app_yn")).isEqualTo("RegRequested");
        assertThat(Tests.outbox(id)).isEmpty();
    }
}
