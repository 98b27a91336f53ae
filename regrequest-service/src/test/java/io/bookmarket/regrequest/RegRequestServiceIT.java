package io.bookmarket.regrequest;

import io.bookmarket.stack.testing.GracefulShutdown;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.AccessAnswers;
import io.bookmarket.support.testing.OidcServer;
import io.bookmarket.support.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Black-box checks of the packaged application (the JVM jar here, the native executable in GitHub Actions) on real
 * PostgreSQL and Kafka, with approval-service played by {@link ApprovalStub} over real HTTP: the probes the Kubernetes
 * manifest points at, filing through the review client, the decision arriving by Kafka, both path spellings.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegRequestServiceIT {

    @Test
    void probesOfTheManifestAnswerAndReadinessCoversDatabaseReviewClientAndShutdownButNotKafka() {
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
        // Kafka's consumers are watched by liveness, not readiness: the API works without Kafka (the outbox waits), so a
        // Kafka outage must not take every replica out of the load balancer.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - liveness check' }.data.keySet()",
                        hasItem("approve-events")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Database connections health check",
                        "approval-review circuit breaker",
                        "Graceful Shutdown"))
                .body("checks.findAll { it.name == 'SmallRye Reactive Messaging - readiness check' }.collectMany { it.data?.keySet() ?: [] }",
                        not(hasItem("approve-events"))));
    }

    @Test
    void aRequestIsFiledThroughTheReviewAndFollowsTheDecisionFromKafka() {
        ApprovalStub.stub().reset();
        long publisher = Tests.newPublisher();
        long id = Tests.file(publisher, 42, "IT book");
        assertThat(ApprovalStub.stub().calls()).as("the review was opened at approval-service").isEqualTo(1);
        assertThat(ApprovalStub.stub().refused()).as("with regrequest-service's own token").isZero();
        Long ticket = ApprovalStub.stub().ticketOf(id);
        assertThat(ticket).isNotNull();
        Tests.asPublisher(publisher).get("/regRequests/" + id).then().statusCode(200).body("regYn", equalTo("RegRequested"))
                .body("publId", equalTo((int) publisher));
        Tests.asPublisher(Tests.newPublisher()).get("/regRequests/" + id).then().statusCode(404);

        Tests.sendApproveEvent("Approved", ticket, id, publisher);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Tests.asReviewer().get("/regRequests/" + id).then().statusCode(200).body("regYn", equalTo("Approved")));
        // The original's lower-case spelling (the Ingress routes both).
        Tests.asPublisher(publisher).get("/regrequests/" + id).then().statusCode(200).body("id", equalTo((int) id));
    }

    @Test
    void withoutAValidTokenNothingIsReadOrFiled() {
        AccessAnswers.assertNoToken(given().get("/regRequests"));
        AccessAnswers.assertInvalidToken(given().auth().oauth2(TestTokens.expired()).get("/regRequests"));
        AccessAnswers.assertForbidden(Tests.asReviewer().contentType(ContentType.JSON)
                .body(Map.of("bookId", 1, "bookNm", "reviewer's", "publId", 1)).post("/regRequests"));
    }

    @Test
    void approvalFailingIsA503WithRetryAfter() {
        ApprovalStub.stub().reset();
        ApprovalStub.stub().fail(500);
        try {
            long publisher = Tests.newPublisher();
            Tests.asPublisher(publisher).contentType(ContentType.JSON).body(Map.of("bookId", 1, "bookNm", "refused", "publId", publisher))
                    .post("/regRequests").then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", notNullValue());
        } finally {
            ApprovalStub.stub().reset();
        }
    }

    /**
     * A rolling update: SIGTERM while a cancellation is in flight (it waits for the request's row, locked here).
     * Readiness turns DOWN while requests are still served; after the shutdown delay new requests are refused; the
     * cancellation completes once the lock is released, and the process exits. Last: it stops the application.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void sigtermLetsTheRequestInFlightCompleteAndRefusesNewOnesAfterTheDelay() throws Exception {
        ApprovalStub.stub().reset();
        long publisher = Tests.newPublisher();
        long id = Tests.file(publisher, 43, "cancelled during a shutdown");
        URI base = URI.create("http://localhost:" + RestAssured.port);
        try (Connection db = StackTestResource.shared().postgres().connect("regrequest")) {
            GracefulShutdown.Outcome outcome = GracefulShutdown.sigtermWithARequestInFlight("regrequest-service", base, db,
                    "SELECT id FROM reg_request WHERE id = " + id + " FOR UPDATE",
                    HttpRequest.newBuilder(base.resolve("/regRequests/" + id)).DELETE()
                            .header("Authorization", "Bearer " + TestTokens.publisher(publisher)).build(),
                    HttpRequest.newBuilder(base.resolve("/regRequests/" + id))
                            .header("Authorization", "Bearer " + TestTokens.publisher(publisher)).build(), Duration.ofSeconds(5));
            System.out.println("SIGTERM with a request in flight: " + outcome);
            assertThat(outcome.broken()).as(outcome.toString()).isEmpty();
            try (ResultSet rs = db.createStatement().executeQuery("SELECT reg_yn FROM reg_request WHERE id = " + id)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("the cancellation in flight was applied").isEqualTo("ReqCanceled");
            }
        }
    }
}
