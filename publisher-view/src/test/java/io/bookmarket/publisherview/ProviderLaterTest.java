package io.bookmarket.publisherview;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.AccessAnswers;
import io.bookmarket.support.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The launcher starts the services and Keycloak in parallel: a service starts, and is ready, before its OpenID
 * provider answers; a token that arrives meanwhile gets a retryable 503 (never a 401 for a good token, never a 500);
 * once the provider answers, tokens are verified.
 */
@QuarkusTest
@TestProfile(ProviderLaterTest.KeycloakStartsLater.class)
class ProviderLaterTest {

    public static class KeycloakStartsLater implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StackTestResource.class, Map.of("database", "publisherview")),
                    new TestResourceEntry(ProviderLater.class));
        }
    }

    @AfterAll
    static void providerGone() {
        ProviderLater.goAway();
    }

    @Test
    void startsWithoutItsProviderAndVerifiesTokensOnceItAnswers() throws Exception {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        Response early = Callers.asReviewer().get("/publpages?size=1");
        early.then().statusCode(503).contentType("application/problem+json").header("Retry-After", notNullValue())
                .body("type", equalTo("urn:bookmarket:problem:identity-provider-unavailable"));
        AccessAnswers.assertNoToken(given().get("/publpages?size=1"));

        ProviderLater.comeUp();
        Callers.asReviewer().get("/publpages?size=1").then().statusCode(200);
        AccessAnswers.assertInvalidToken(given().auth().oauth2(TestTokens.signedByAnotherKey()).get("/publpages?size=1"));
        AccessAnswers.assertForbidden(Callers.asPublisher(1).post("/publpages/admin/rebuild"));

        // The keys are cached: verifying needs no provider any more.
        ProviderLater.goAway();
        Callers.asReviewer().get("/publpages?size=1").then().statusCode(200);
        Callers.asPublisher(1).get("/publpages?size=1").then().statusCode(200).header("X-Total-Count", "0");
    }
}
