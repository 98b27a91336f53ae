package io.bookmarket.publisherview;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.bookmarket.support.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;
import java.util.function.Function;

import static io.bookmarket.publisherview.Callers.asPublisher;
import static io.bookmarket.support.testing.AccessAnswers.assertForbidden;
import static io.bookmarket.support.testing.AccessAnswers.assertInvalidToken;
import static io.bookmarket.support.testing.AccessAnswers.assertNoToken;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/**
 * A publisher sees only its own rows, on every path; reviewers and admins see all; only admins rebuild the view.
 * No or a bad token is 401, a wrong role 403, problem JSON every time; the probes stay open.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "publisherview"))
@QuarkusTestResource(OidcServer.class)
class AccessTest {

    static final long P100 = 880100;
    static final long P200 = 880200;
    /** Rows 3,000,001 and 3,000,002 are P100's, 3,000,003 is P200's. */
    static final long FIRST = 3_000_001;

    @BeforeEach
    void rows() throws Exception {
        try (Connection c = Events.db(); var st = c.createStatement()) {
            st.executeUpdate("""
                    INSERT INTO publpage (req_id, publ_id, book_id, book_nm, reg_yn, status, created_at, updated_at, last_event_at)
                    VALUES (%1$d, %2$d, 1, 'P100 first', 'RegRequested', 'RegRequested', now(), now(), now()),
                           (%1$d + 1, %2$d, 2, 'P100 second', 'RegRequested', 'RegRequested', now(), now(), now()),
                           (%1$d + 2, %3$d, 3, 'P200 only', 'RegRequested', 'RegRequested', now(), now(), now())
                    ON CONFLICT (req_id) DO NOTHING""".formatted(FIRST, P100, P200));
        }
    }

    @Test
    void withoutATokenEveryEndpointIs401WithABearerChallenge() {
        for (Function<RequestSpecification, Response> call : calls()) {
            assertNoToken(call.apply(given()));
        }
        assertThat(Events.row(FIRST)).as("not rebuilt").isNotNull();
    }

    @Test
    void invalidTokensAre401AndNeverA5xx() {
        TestTokens.hostile().forEach((kind, token) -> {
            for (Function<RequestSpecification, Response> call : calls()) {
                Response response = call.apply(given().header("Authorization", "Bearer " + token));
                assertThat(response.statusCode()).as(kind).isEqualTo(401);
                assertInvalidToken(response);
            }
        });
        assertThat(Events.row(FIRST)).as("not rebuilt").isNotNull();
    }

    @Test
    void aPublisherSeesOnlyItsOwnRows() {
        asPublisher(P200).get("/publpages?size=100").then().statusCode(200).header("X-Total-Count", "1")
                .body("reqId", org.hamcrest.Matchers.contains((int) FIRST + 2));
        asPublisher(P100).get("/publpages?size=100").then().statusCode(200).header("X-Total-Count", "2");
        asPublisher(P200).queryParam("publId", P200).get("/publpages").then().statusCode(200).header("X-Total-Count", "1");
        asPublisher(P200).queryParam("publId", P200).get("/publpages/search/findByPublId").then().statusCode(200)
                .header("X-Total-Count", "1");
        // another publisher's list: refused; another's row: as if it did not exist
        assertForbidden(asPublisher(P200).queryParam("publId", P100).get("/publpages"));
        assertForbidden(asPublisher(P200).queryParam("publId", P100).get("/publpages/search/findByPublId"));
        Response missing = asPublisher(P200).get("/publpages/999999999");
        Response others = asPublisher(P200).get("/publpages/" + FIRST);
        others.then().statusCode(404).contentType("application/problem+json");
        assertThat(others.<String>path("title")).isEqualTo(missing.<String>path("title"));
        assertThat(others.<String>path("detail")).isEqualTo(missing.<String>path("detail").replace("999999999", Long.toString(FIRST)));
        asPublisher(P200).queryParam("reqId", FIRST).get("/publpages/search/findByReqId").then().statusCode(200)
                .header("X-Total-Count", "0").body("$", org.hamcrest.Matchers.empty());
        asPublisher(P100).get("/publpages/" + FIRST).then().statusCode(200).body("bookNm", equalTo("P100 first"));
        asPublisher(P100).queryParam("reqId", FIRST).get("/publpages/search/findByReqId").then().statusCode(200)
                .header("X-Total-Count", "1");
    }

    @Test
    void reviewersAndAdminsSeeEveryRow() {
        for (RequestSpecification caller : List.of(Callers.asReviewer(), Callers.asAdmin())) {
            caller.queryParam("publId", P100).get("/publpages").then().statusCode(200).header("X-Total-Count", "2");
        }
        Callers.asReviewer().get("/publpages/" + (FIRST + 2)).then().statusCode(200).body("publId", equalTo((int) P200));
        Callers.asAdmin().queryParam("reqId", FIRST).get("/publpages/search/findByReqId").then().statusCode(200)
                .header("X-Total-Count", "1");
    }

    @Test
    void onlyAdminsRebuild() {
        for (String token : List.of(TestTokens.publisher(P100), TestTokens.reviewer(), TestTokens.reviewOpener())) {
            assertForbidden(given().auth().oauth2(token).post("/publpages/admin/rebuild"));
        }
        assertThat(Events.row(FIRST)).as("not rebuilt (a rebuild drops rows that never came through Kafka)").isNotNull();
    }

    @Test
    void aRoleWithoutBusinessHereIs403() {
        assertForbidden(given().auth().oauth2(TestTokens.reviewOpener()).get("/publpages"));
        assertForbidden(given().auth().oauth2(TestTokens.withRoles("nobody")).get("/publpages/" + FIRST));
    }

    @Test
    void probesAndMetricsStayOpenWhateverTheToken() {
        given().header("Authorization", "Bearer " + TestTokens.unsigned()).get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void openApiDeclaresTheBearerSchemeAndEachOperationsSecurity() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"))
                .body("paths.'/publpages'.get.security[0].bearer", notNullValue())
                .body("paths.'/publpages/admin/rebuild'.post.security[0].bearer", notNullValue())
                .body("paths.'/publpages/admin/rebuild'.post.responses.'403'", notNullValue());
    }

    /** Every endpoint: list, read, both searches, rebuild. */
    private static List<Function<RequestSpecification, Response>> calls() {
        return List.of(
                caller -> caller.get("/publpages"),
                caller -> caller.get("/publpages/" + FIRST),
                caller -> caller.queryParam("reqId", FIRST).get("/publpages/search/findByReqId"),
                caller -> caller.queryParam("publId", P100).get("/publpages/search/findByPublId"),
                caller -> caller.post("/publpages/admin/rebuild"));
    }
}
