package io.bookmarket.approval;

import io.bookmarket.approval.service.ApproveService;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.quarkus.test.security.oidc.Claim;
import io.quarkus.test.security.oidc.ClaimType;
import io.quarkus.test.security.oidc.OidcSecurity;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reviewers' page (rest.ReviewPages): pending reviews with their book, Approve and Reject through forms (one
 * event each), a decision that lost the race with the publisher's cancel told in words, the CSRF token required, a
 * 403 page for a publisher. Signed in by {@code @TestSecurity} (the sign-in itself, at the real Keycloak, is
 * infra/e2e's ScreensIT).
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(EventsWhileDown.class)
class ReviewPagesTest {

    @Inject
    ApproveService service;

    @Test
    void withoutASessionThePageSendsToSignInWhileTheApiAnswers401() {
        Response page = given().redirects().follow(false).get("/ui/reviews");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.header("Location")).contains("response_type=code", "client_id=bookmarket-web", "%2Fui%2Freviews",
                "code_challenge=", "code_challenge_method=S256");
        given().redirects().follow(false).get("/approves").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    @TestSecurity(user = "reviewer", roles = "reviewer")
    void aPendingReviewShowsItsBookAndApprovingItPublishesOneEvent() {
        long request = Tests.newRequest();
        long ticket = confirmed(request, 5001);
        Form form = Form.load();
        assertThat(form.html).contains("id=\"review-" + ticket + "\"", "book of " + request, "Approve request " + request);
        Response decided = form.post("/ui/reviews/" + ticket, Map.of("decision", "Approved", "page", "0"));
        assertThat(decided.statusCode()).isEqualTo(303);
        assertThat(decided.header("Location")).endsWith("/ui/reviews?page=0&decided=" + ticket);
        assertThat(Tests.ticket(request)).containsEntry("app_yn", "Approved");
        assertThat(Tests.outboxTypes(ticket)).containsExactly("Approved");
        String after = given().cookie("csrf-reviews", form.cookie).get(decided.header("Location")).then().statusCode(200)
                .extract().asString();
        assertThat(after).contains("Request " + request + " (\u201Cbook of " + request + "\u201D) is now approved.");
        // Sent again (a reload of the POST): already approved, nothing more published.
        assertThat(form.post("/ui/reviews/" + ticket, Map.of("decision", "Approved")).statusCode()).isEqualTo(303);
        assertThat(Tests.outboxTypes(ticket)).containsExactly("Approved");
    }

    @Test
    @TestSecurity(user = "reviewer", roles = "reviewer")
    void aDecisionThatLostTheRaceWithThePublishersCancelIsToldInWords() {
        long request = Tests.newRequest();
        long ticket = confirmed(request, 5002);
        Form form = Form.load();
        Tests.awaitProcessed(Tests.sendRegRequestEvent("ReqCanceled", request, 5002));
        Response lost = form.post("/ui/reviews/" + ticket, Map.of("decision", "Rejected"));
        assertThat(lost.statusCode()).isEqualTo(409);
        assertThat(lost.contentType()).startsWith("text/html");
        assertThat(lost.asString()).contains("was cancelled before your decision", "cannot be rejected any more",
                "Nothing was changed").doesNotContain("urn:bookmarket:problem", "Exception");
        assertThat(Tests.ticket(request)).containsEntry("app_yn", "AppCanceled");
        assertThat(Tests.outboxTypes(ticket)).containsExactly("AppCanceled");
    }

    @Test
    @TestSecurity(user = "reviewer", roles = "reviewer")
    void aFormWithoutItsCsrfTokenDecidesNothing() {
        long request = Tests.newRequest();
        long ticket = confirmed(request, 5003);
        Form form = Form.load();
        Response refused = given().cookie("csrf-reviews", form.cookie).redirects().follow(false)
                .contentType("application/x-www-form-urlencoded").formParam("decision", "Approved").post("/ui/reviews/" + ticket);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("The form was not sent");
        assertThat(Tests.ticket(request)).containsEntry("app_yn", "RegRequested");
        assertThat(Tests.outboxTypes(ticket)).isEmpty();
    }

    @Test
    @TestSecurity(user = "publisher-100", roles = "publisher")
    @OidcSecurity(claims = @Claim(key = "publId", value = "100", type = ClaimType.LONG))
    void aPublisherOnTheReviewersPageGetsAPageSayingWhy() {
        Response page = given().get("/ui/reviews");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.asString()).contains("Not for your account", "is for another role");
    }

    /** A ticket opened as regrequest-service opens it and confirmed by the request's RegRequested event. */
    private long confirmed(long request, long publId) {
        long ticket = service.open(request, publId).ticket().id();
        Tests.awaitProcessed(Tests.sendRegRequestEvent("RegRequested", request, publId));
        return ticket;
    }

    /** The page as loaded by the browser: its CSRF cookie and the token in its forms. */
    record Form(String html, String cookie, String token) {

        private static final Pattern TOKEN = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

        static Form load() {
            Response page = given().get("/ui/reviews");
            page.then().statusCode(200).contentType("text/html");
            String html = page.asString();
            Matcher m = TOKEN.matcher(html);
            assertThat(m.find()).as("a form with its CSRF token").isTrue();
            return new Form(html, page.cookie("csrf-reviews"), m.group(1));
        }

        Response post(String path, Map<String, String> fields) {
            return given().cookie("csrf-reviews", cookie).redirects().follow(false)
                    .contentType("application/x-www-form-urlencoded").formParam("csrf-token", token).formParams(fields)
                    .post(path);
        }
    }
}
