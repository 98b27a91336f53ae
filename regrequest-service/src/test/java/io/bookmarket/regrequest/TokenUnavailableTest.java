package io.bookmarket.regrequest;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.bookmarket.regrequest.Tests.stub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * regrequest-service cannot get its own token (Keycloak refuses its client secret, as after a badly rotated
 * Secret): the review cannot be opened, so the publisher gets 503 + Retry-After and nothing is stored or published.
 * A profile of its own, so the application starts without a cached token.
 */
@QuarkusTest
@TestProfile(TokenUnavailableTest.WrongClientSecret.class)
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class TokenUnavailableTest {

    public static class WrongClientSecret implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc-client.credentials.secret", "not-the-secret");
        }
    }

    @Inject
    CircuitBreakerMaintenance breakers;

    @Test
    void noTokenForApprovalServiceIs503AndNothingIsStored() {
        Tests.reset(breakers);
        long publId = Tests.newPublisher();
        long rows = Tests.count("SELECT count(*) FROM reg_request");
        long outbox = Tests.count("SELECT count(*) FROM outboxevent");
        for (String key : new String[] { null, UUID.randomUUID().toString() }) {
            var request = Tests.asPublisher(publId).contentType(ContentType.JSON)
                    .body(Map.of("bookId", 8, "bookNm", "no token for the review", "publId", publId));
            Response refused = (key == null ? request : request.header("Idempotency-Key", key)).post("/regRequests");
            refused.then().statusCode(503).contentType("application/problem+json").header("Retry-After", "2")
                    .body("type", equalTo("urn:bookmarket:problem:review-unavailable"));
        }
        assertThat(stub().tokenRequests()).as("the token endpoint was asked (and refused)").isPositive();
        assertThat(stub().calls()).as("approval-service never called without a token").isZero();
        assertThat(Tests.count("SELECT count(*) FROM reg_request")).isEqualTo(rows);
        assertThat(Tests.count("SELECT count(*) FROM outboxevent")).isEqualTo(outbox);
        Tests.asPublisher(publId).get("/regRequests").then().statusCode(200).header("X-Total-Count", "0");
    }
}
