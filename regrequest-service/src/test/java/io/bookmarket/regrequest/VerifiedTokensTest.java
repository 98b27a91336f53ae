package io.bookmarket.regrequest;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.bookmarket.support.testing.TestTokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static io.bookmarket.support.testing.AccessAnswers.assertInvalidToken;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A token is verified once and then recognised until it expires (support.security.VerifiedTokens): a repeated token
 * keeps its own identity and no other, an expired one is refused although it was verified before, and a copy with
 * one changed claim is verified anew and refused.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class VerifiedTokensTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void healthyApproval() {
        Tests.reset(breakers);
    }

    @Test
    void aRepeatedTokenIsVerifiedOnceAndKeepsItsOwnIdentity() {
        long owner = Tests.newPublisher();
        long other = Tests.newPublisher();
        long id = Tests.file(owner, 1, "mine");
        String ownerToken = TestTokens.publisher(owner);
        String otherToken = TestTokens.publisher(other);
        double hitsBefore = gets("hit");
        double missesBefore = gets("miss");
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(ownerToken).get("/regRequests/" + id).then().statusCode(200).body("publId", equalTo((int) owner));
            given().auth().oauth2(otherToken).get("/regRequests/" + id).then().statusCode(404);
        }
        assertThat(gets("miss") - missesBefore).as("each token verified once").isEqualTo(2);
        assertThat(gets("hit") - hitsBefore).as("then recognised").isEqualTo(4);
    }

    @Test
    void aVerifiedTokenIsRefusedOnceItExpires() throws InterruptedException {
        long owner = Tests.newPublisher();
        long id = Tests.file(owner, 2, "short-lived");
        String token = TestTokens.publisherExpiringIn(owner, Duration.ofSeconds(2));
        given().auth().oauth2(token).get("/regRequests/" + id).then().statusCode(200);
        given().auth().oauth2(token).get("/regRequests/" + id).then().statusCode(200);
        Thread.sleep(Duration.ofSeconds(expiresInSeconds(token) + 1));
        assertInvalidToken(given().auth().oauth2(token).get("/regRequests/" + id));
    }

    @Test
    void aChangedCopyOfAVerifiedTokenIsVerifiedAndRefused() {
        long owner = Tests.newPublisher();
        long id = Tests.file(owner, 3, "mine");
        String token = TestTokens.publisher(owner);
        given().auth().oauth2(token).get("/regRequests/" + id).then().statusCode(200);
        String[] parts = token.split("\\.");
        String payload = decode(parts[1]).replace("\"publisher\"]", "\"publisher\",\"reviewer\"]");
        assertThat(payload).isNotEqualTo(decode(parts[1]));
        String changed = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertInvalidToken(given().auth().oauth2(changed).get("/regRequests?size=100"));
    }

    private double gets(String result) {
        return registry.get("cache.gets").tag("cache", "verified-tokens").tag("result", result).functionCounter().count();
    }

    private static long expiresInSeconds(String token) {
        String payload = decode(token.split("\\.")[1]);
        long exp = Long.parseLong(payload.replaceAll(".*\"exp\":(\\d+).*", "$1"));
        return Math.max(0, exp - System.currentTimeMillis() / 1000);
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }
}
