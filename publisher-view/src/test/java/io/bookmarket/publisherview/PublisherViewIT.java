package io.bookmarket.publisherview;

import io.bookmarket.stack.testing.GracefulShutdown;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.AccessAnswers;
import io.bookmarket.support.testing.OidcServer;
import io.bookmarket.support.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

/**
 * Black-box checks of the packaged application (the JVM jar here, the native executable in GitHub Actions) on real
 * PostgreSQL and Kafka: the probes the Kubernetes manifest points at, events in, the read model out over HTTP.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "publisherview"))
@QuarkusTestResource(OidcServer.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PublisherViewIT {

    @Test
    void probesOfTheManifestAnswerAndReadinessCoversDatabaseAndShutdownButNotKafka() {
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
        // Kafka's consumers are watched by liveness, not readiness: the API works without Kafka (the outbox waits), so a
        // Kafka outage must not take every replica out of the load balancer.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - liveness check' }.data.keySet()",
                        hasItems("regrequest-events", "approve-events")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Database connections health check",
                        "Graceful Shutdown"))
                .body("checks.findAll { it.name == 'SmallRye Reactive Messaging - readiness check' }.collectMany { it.data?.keySet() ?: [] }",
                        allOf(not(hasItem("regrequest-events")), not(hasItem("approve-events")))));
    }

    @Test
    void eventsFromBothTopicsBecomeOnePublpage() {
        long reqId = 700_000 + (System.nanoTime() & 0xffff);
        Events.send(Events.request("RegRequested", reqId, 4711, 77, "IT book " + reqId, Instant.now()),
                Events.review("Approved", reqId + 1, reqId, 4711, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Callers.asReviewer().get("/publpages/" + reqId).then()
                .statusCode(200).body("bookNm", equalTo("IT book " + reqId)).body("appYn", equalTo("Approved"))
                .body("status", equalTo("Approved")));
        Callers.asReviewer().queryParam("publId", 4711).get("/publpages/search/findByPublId").then().statusCode(200)
                .body("reqId", hasItem((int) reqId));
        Callers.asPublisher(4711).get("/publpages/" + reqId).then().statusCode(200);
        Callers.asPublisher(4712).get("/publpages/" + reqId).then().statusCode(404);
        AccessAnswers.assertNoToken(given().get("/publpages/" + reqId));
        AccessAnswers.assertInvalidToken(given().auth().oauth2(TestTokens.wrongAudience()).get("/publpages/" + reqId));
        AccessAnswers.assertForbidden(Callers.asReviewer().post("/publpages/admin/rebuild"));
    }

    @Test
    void badInputIsAProblem() {
        Callers.asReviewer().get("/publpages?size=0").then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("size"));
        Callers.asReviewer().get("/publpages/999999999").then().statusCode(404).contentType("application/problem+json");
    }

    /**
     * A rolling update: SIGTERM while a rebuild runs (its TRUNCATE waits for a lock held here). Readiness turns DOWN
     * while requests are still served; after the shutdown delay new requests are refused; the rebuild completes once
     * the lock is released, and the process exits. Last: it stops the application.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void sigtermLetsTheRequestInFlightCompleteAndRefusesNewOnesAfterTheDelay() throws Exception {
        URI base = URI.create("http://localhost:" + RestAssured.port);
        try (Connection db = StackTestResource.shared().postgres().connect("publisherview")) {
            GracefulShutdown.Outcome outcome = GracefulShutdown.sigtermWithARequestInFlight("publisher-view", base, db,
                    "LOCK TABLE processed_event IN ACCESS EXCLUSIVE MODE",
                    HttpRequest.newBuilder(base.resolve("/publpages/admin/rebuild")).POST(HttpRequest.BodyPublishers.noBody())
                            .header("Authorization", "Bearer " + TestTokens.admin()).build(),
                    HttpRequest.newBuilder(base.resolve("/publpages?publId=1"))
                            .header("Authorization", "Bearer " + TestTokens.reviewer()).build(), Duration.ofSeconds(5));
            System.out.println("SIGTERM with a request in flight: " + outcome);
            assertThat(outcome.broken()).as(outcome.toString()).isEmpty();
        }
    }
}
