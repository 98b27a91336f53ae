package io.bookmarket.approval;

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
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

/**
 * Black-box checks of the packaged application (the JVM jar here, the native executable in GitHub Actions) on real
 * MariaDB and Kafka: the probes the Kubernetes manifest points at, and a ticket's life over HTTP and Kafka.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApprovalServiceIT {

    @Test
    void probesOfTheManifestAnswerAndReadinessCoversDatabaseAndShutdownButNotKafka() {
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
        // Kafka's consumers are watched by liveness, not readiness: the API works without Kafka (the outbox waits), so a
        // Kafka outage must not take every replica out of the load balancer.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - liveness check' }.data.keySet()",
                        hasItem("regrequest-events")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Database connections health check",
                        "Graceful Shutdown"))
                .body("checks.findAll { it.name == 'SmallRye Reactive Messaging - readiness check' }.collectMany { it.data?.keySet() ?: [] }",
                        not(hasItem("regrequest-events"))));
    }

    @Test
    void aTicketIsOpenedConfirmedByTheRequestsEventAndApproved() {
        long request = 800_000 + (System.nanoTime() & 0xffff);
        long publisher = 9_001;
        String location = Tests.asOpener().contentType(ContentType.JSON)
                .body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", publisher))
                .post("/approves").then().statusCode(201).body("confirmed", equalTo(false))
                .extract().header("Location");

        // regrequest-service's RegRequested (as Debezium relays it) confirms the ticket: the consumer runs in the artifact.
        Tests.sendRegRequestEvent("RegRequested", request, publisher);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Tests.asReviewer().get(location).then().statusCode(200).body("confirmed", equalTo(true)));

        Tests.asReviewer().contentType("application/merge-patch+json").body("{\"appYn\": \"Y\"}").patch(location).then()
                .statusCode(200).body("appYn", equalTo("Approved"));
        Tests.asReviewer().get(location).then().statusCode(200).body("appYn", equalTo("Approved"))
                .body("reqReqId", equalTo((int) request)).body("decidedAt", endsWith("Z"));
    }

    @Test
    void withoutTheRightTokenNothingIsReadOrDecided() {
        AccessAnswers.assertNoToken(given().get("/approves"));
        AccessAnswers.assertInvalidToken(given().auth().oauth2(TestTokens.unsigned()).get("/approves"));
        AccessAnswers.assertForbidden(given().auth().oauth2(TestTokens.publisher(9_001)).contentType(ContentType.JSON)
                .body("{\"appYn\": \"Approved\"}").patch("/approves/1"));
    }

    @Test
    void badInputIsAProblem() {
        Tests.asOpener().contentType(ContentType.JSON).body(Map.of("reqReqId", -1, "publId", 1)).post("/approves").then()
                .statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
        Tests.asReviewer().get("/approves/999999999").then().statusCode(404).contentType("application/problem+json");
    }

    /**
     * A rolling update: SIGTERM while a ticket is being opened (its INSERT waits for the same request's uncommitted
     * ticket, inserted here). Readiness turns DOWN while requests are still served; after the shutdown delay new
     * requests are refused; the opening completes once the other transaction ends, and the process exits. Last: it
     * stops the application.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void sigtermLetsTheRequestInFlightCompleteAndRefusesNewOnesAfterTheDelay() throws Exception {
        long request = 810_000 + (System.nanoTime() & 0xffff);
        String location = Tests.asOpener().contentType(ContentType.JSON)
                .body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", 9_002))
                .post("/approves").then().statusCode(201).extract().header("Location");
        long held = request + 1;
        URI base = URI.create("http://localhost:" + RestAssured.port);
        try (Connection db = StackTestResource.shared().mariaDb().connect("approval")) {
            GracefulShutdown.Outcome outcome = GracefulShutdown.sigtermWithARequestInFlight("approval-service", base, db, """
                            INSERT INTO approve (req_req_id, publ_id, app_yn, confirmed, created_at, version)
                            VALUES (%d, 9002, 'RegRequested', false, now(), 0)""".formatted(held),
                    HttpRequest.newBuilder(base.resolve("/approves")).header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + TestTokens.reviewOpener())
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"reqReqId\": " + held + ", \"appYn\": \"RegRequested\", \"publId\": 9002}")).build(),
                    HttpRequest.newBuilder(URI.create(location)).header("Authorization", "Bearer " + TestTokens.reviewer()).build(),
                    Duration.ofSeconds(5));
            System.out.println("SIGTERM with a request in flight: " + outcome);
            assertThat(outcome.broken()).as(outcome.toString()).isEmpty();
            try (ResultSet rs = db.createStatement().executeQuery("SELECT count(*) FROM approve WHERE req_req_id = " + held)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("the ticket opened in flight").isOne();
            }
        }
    }
}
