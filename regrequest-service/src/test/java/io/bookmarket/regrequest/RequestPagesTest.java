package io.bookmarket.regrequest;

import io.bookmarket.regrequest.service.NewRegRequest;
import io.bookmarket.regrequest.service.RegRequestService;
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
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bookmarket.regrequest.Tests.stub;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publisher's page (rest.RequestPages) and the start page: only one's own requests, statuses in words, filing
 * through the form (once, even when sent twice), errors next to their field, the 503 in words, cancelling, the CSRF
 * token required, a 403 page for a reviewer. Signed in by {@code @TestSecurity} (the sign-in itself, at the real
 * Keycloak, is infra/e2e's ScreensIT).
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class RequestPagesTest {

    static final long PUBLISHER = 9_100_001;
    static final long OTHER = 9_100_002;

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    RegRequestService service;

    @BeforeEach
    void healthyApproval() {
        Tests.reset(breakers);
    }

    @Test
    void theStartPageIsOpenToEveryone() {
        given().get("/").then().statusCode(200).contentType("text/html")
                .body(org.hamcrest.Matchers.containsString("href=\"/ui/requests\""))
                .body(org.hamcrest.Matchers.containsString("href=\"/ui/reviews\""));
    }

    @Test
    void withoutASessionThePageSendsToSignInWhileTheApiAnswers401() {
        Response page = given().redirects().follow(false).get("/ui/requests");
        assertThat(page.statusCode()).isEqualTo(302);
        // To the provider's authorization endpoint (Keycloak's in production; the test provider's here), with PKCE.
        assertThat(page.header("Location")).contains("response_type=code", "client_id=bookmarket-web",
                "redirect_uri=http%3A%2F%2Flocalhost%3A", "%2Fui%2Frequests", "code_challenge=", "code_challenge_method=S256");
        given().redirects().follow(false).get("/regRequests").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    @TestSecurity(user = "publisher-9100001", roles = "publisher")
    @OidcSecurity(claims = @Claim(key = "publId", value = "9100001", type = ClaimType.LONG))
    void thePageListsOnlyTheSignedInPublishersRequestsWithTheirStatusInWords() {
        String own = "own book " + System.nanoTime();
        String others = "someone else's book " + System.nanoTime();
        long id = service.file(new NewRegRequest(11L, own, PUBLISHER), null).id();
        service.file(new NewRegRequest(12L, others, OTHER), null);
        String html = given().get("/ui/requests").then().statusCode(200).contentType("text/html").extract().asString();
        assertThat(html).contains(own, "Waiting for review", "id=\"request-" + id + "\"", "id=\"cancel-" + id + "\"",
                "<label for=\"bookId\">Book id</label>", "<label for=\"bookNm\">Book name</label>").doesNotContain(others);
        // The list the page polls says the same.
        assertThat(given().get("/ui/requests/rows").then().statusCode(200).extract().asString()).contains(own).doesNotContain(others);
    }

    @Test
    @TestSecurity(user = "publisher-9100001", roles = "publisher")
    @OidcSecurity(claims = @Claim(key = "publId", value = "9100001", type = ClaimType.LONG))
    void theFormFilesOneRequestEvenWhenSentTwiceAndThenShowsIt() {
        Form form = Form.load();
        long before = count();
        Map<String, String> fields = Map.of("bookId", "77", "bookNm", "filed from the page", "key", form.key);
        Response first = form.post("/ui/requests", fields);
        assertThat(first.statusCode()).isEqualTo(303);
        assertThat(first.header("Location")).matches(".*/ui/requests\\?filed=\\d+");
        Response again = form.post("/ui/requests", fields);
        assertThat(again.header("Location")).as("the same request again").isEqualTo(first.header("Location"));
        assertThat(count()).isEqualTo(before + 1);
        String shown = given().cookie("csrf-requests", form.cookie).get(first.header("Location")).then().statusCode(200).extract().asString();
        assertThat(shown).contains("is filed and waits for review", "filed from the page");
        // The same form changed and sent again (after going back): a new request.
        Response changed = form.post("/ui/requests", Map.of("bookId", "77", "bookNm", "changed on the page", "key", form.key));
        assertThat(changed.statusCode()).isEqualTo(303);
        assertThat(changed.header("Location")).isNotEqualTo(first.header("Location"));
        assertThat(count()).isEqualTo(before + 2);
    }

    @Test
    @TestSecurity(user = "publisher-9100001", roles = "publisher")
    @OidcSecurity(claims = @Claim(key = "publId", value = "9100001", type = ClaimType.LONG))
    void invalidFieldsAreToldNextToTheirFieldAndNothingIsFiled() {
        Form form = Form.load();
        long before = count();
        Response refused = form.post("/ui/requests", Map.of("bookId", "ten", "bookNm", "  ", "key", form.key));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("id=\"bookId-error\"", "Enter the book id", "id=\"bookNm-error\"",
                "Enter the name of the book", "aria-invalid=\"true\"", "value=\"ten\"");
        assertThat(form.post("/ui/requests", Map.of("bookId", "0", "bookNm", "x".repeat(201), "key", form.key)).statusCode())
                .isEqualTo(400);
        assertThat(count()).isEqualTo(before);
        assertThat(stub().calls()).as("approval-service never asked").isZero();
    }

    @Test
    @TestSecurity(user = "publisher-9100001", roles = "publisher")
    @OidcSecurity(claims = @Claim(key = "publId", value = "9100001", type = ClaimType.LONG))
    void approvalServiceUnavailableIsToldInWordsWithWhenToRetry() {
        Form form = Form.load();
        long before = count();
        stub().mode(ApprovalStub.Mode.DOWN);
        Response refused = form.post("/ui/requests", Map.of("bookId", "78", "bookNm", "not now", "key", form.key));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("2");
        assertThat(refused.asString()).contains("The review could not be opened", "Try again in 2 s", "value=\"not now\"");
        assertThat(count()).isEqualTo(before);
    }

    @Test
    @TestSecurity(user = "publisher-9100001", roles = "publisher")
    @OidcSecurity(claims = @Claim(key = "publId", value = "9100001", type = ClaimType.LONG))
    void aFormWithoutItsCsrfTokenChangesNothing() {
        Form form = Form.load();
        long before = count();
        Response refused = given().cookie("csrf-requests", form.cookie).redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("bookId", "79", "bookNm", "forged", "key", form.key)).post("/ui/requests");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("text/html");
        assertThat(refused.asString()).contains("The form was not sent", "nothing was changed");
        Response wrong = given().cookie("csrf-requests", form.cookie).redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParams(Map.of("bookId", "79", "bookNm", "forged", "key", form.key, "csrf-token", form.forgedToken()))
                .post("/ui/requests");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(count()).isEqualTo(before);
    }

    @Test
    @TestSecurity(user = "publisher-9100001", roles = "publisher")
    @OidcSecurity(claims = @Claim(key = "publId", value = "9100001", type = ClaimType.LONG))
    void cancellingFromThePageCancelsOwnRequestsOnly() {
        long own = service.file(new NewRegRequest(13L, "to cancel " + System.nanoTime(), PUBLISHER), null).id();
        long others = service.file(new NewRegRequest(14L, "not mine " + System.nanoTime(), OTHER), null).id();
        Form form = Form.load();
        Response done = form.post("/ui/requests/" + own + "/cancel", Map.of());
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.header("Location")).endsWith("/ui/requests?cancelled=" + own);
        assertThat(Tests.regYn(own)).isEqualTo("ReqCanceled");
        Response refused = form.post("/ui/requests/" + others + "/cancel", Map.of());
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(refused.asString()).contains("Not found").doesNotContain("urn:bookmarket:problem");
        assertThat(Tests.regYn(others)).isEqualTo("RegRequested");
    }

    @Test
    @TestSecurity(user = "reviewer", roles = "reviewer")
    void aReviewerOnThePublishersPageGetsAPageSayingWhy() {
        Response page = given().get("/ui/requests");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.asString()).contains("Not for your account", "is for another role");
    }

    private static long count() {
        return Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", PUBLISHER);
    }

    /** The page as loaded by the browser: its CSRF cookie, the token in its forms and the form's Idempotency-Key. */
    record Form(String cookie, String token, String key) {

        private static final Pattern TOKEN = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");
        private static final Pattern KEY = Pattern.compile("name=\"key\" value=\"([^\"]+)\"");

        static Form load() {
            Response page = given().get("/ui/requests");
            page.then().statusCode(200);
            String html = page.asString();
            return new Form(page.cookie("csrf-requests"), group(TOKEN, html), group(KEY, html));
        }

        /** The token with its first character changed: never equal to it (prefixing a fixed "x" was, 1 time in 64). */
        String forgedToken() {
            return (token.charAt(0) == 'x' ? "y" : "x") + token.substring(1);
        }

        Response post(String path, Map<String, String> fields) {
            return given().cookie("csrf-requests", cookie).redirects().follow(false)
                    .contentType("application/x-www-form-urlencoded").formParam("csrf-token", token).formParams(fields)
                    .post(path);
        }

        private static String group(Pattern pattern, String html) {
            Matcher m = pattern.matcher(html);
            assertThat(m.find()).as(pattern + " in the page").isTrue();
            return m.group(1);
        }
    }
}
