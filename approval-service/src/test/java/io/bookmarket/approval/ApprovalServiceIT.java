package io.bookmarket.approval;

import io.bookmarket.stack.StackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

/**
 * Black-box checks of the packaged application (the JVM jar here, the native executable in GitHub Actions) on real
 * PostgreSQL and Kafka: the probes the Kubernetes manifest points at, and a ticket's life over HTTP and Kafka.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "approval"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApprovalServiceIT {

    @Test
    void probesOfTheManifestAnswerAndReadinessCoversDatabaseKafkaAndShutdown() {
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Database connections health check",
                        "SmallRye Reactive Messaging - readiness check", "Graceful Shutdown"))
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }.data.keySet()",
                        hasItem("regrequest-events")));
    }

    @Test
    void aTicketIsOpenedConfirmedByTheRequestsEventAndApproved() {
        long request = 800_000 + (System.nanoTime() & 0xffff);
        long publisher = 9_001;
        String location = given().contentType(ContentType.JSON)
                .body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", publisher))
                .post("/approves").then().statusCode(201).body("confirmed", equalTo(false))
                .extract().header("Location");

        // regrequest-service's RegRequested (as Debezium relays it) confirms the ticket: the consumer runs in the artifact.
        Tests.sendRegRequestEvent("RegRequested", request, publisher);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get(location).then().statusCode(200).body("confirmed", equalTo(true)));

        given().contentType("application/merge-patch+json").body("{\"appYn\": \"Y\"}").patch(location).then()
                .statusCode(200).body("appYn", equalTo("Approved"));
        given().get(location).then().statusCode(200).body("appYn", equalTo("Approved"))
                .body("reqReqId", equalTo((int) request)).body("decidedAt", endsWith("Z"));
    }

    @Test
    void badInputIsAProblem() {
        given().contentType(ContentType.JSON).body(Map.of("reqReqId", -1, "publId", 1)).post("/approves").then()
                .statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
        given().get("/approves/999999999").then().statusCode(404).contentType("application/problem+json");
    }

    /**
     * What a rolling update relies on (the Deployment's terminationGracePeriodSeconds covers it): on SIGTERM readiness
     * turns DOWN first while requests are still served (quarkus.shutdown.delay), then the application exits.
     * Last, because it stops the application.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void sigtermTurnsReadinessDownWhileRequestsAreStillServedThenExits() throws Exception {
        long request = 810_000 + (System.nanoTime() & 0xffff);
        String location = given().contentType(ContentType.JSON)
                .body(Map.of("reqReqId", request, "appYn", "RegRequested", "publId", 9_002))
                .post("/approves").then().statusCode(201).extract().header("Location");
        // The launched artifact: the jar (JVM) or the executable (native), a child of this test JVM.
        ProcessHandle app = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains("approval-service") && (c.contains("quarkus-run.jar")
                        || c.contains("-runner"))).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("the launched approval-service process is not found"));

        long sigterm = System.nanoTime();
        assertThat(app.destroy()).as("SIGTERM sent").isTrue();
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(503)
                        .body("checks.find { it.name == 'Graceful Shutdown' }.status", equalTo("DOWN")));
        long readinessDown = System.nanoTime();
        // Still serving: a request routed here before the endpoints caught up does not fail.
        given().get(location).then().statusCode(200).body("reqReqId", equalTo((int) request));
        assertThat(app.isAlive()).isTrue();

        assertThat(app.onExit().get(40, TimeUnit.SECONDS).isAlive()).isFalse();
        System.out.printf("SIGTERM -> readiness DOWN %d ms, -> exit %d ms%n", (readinessDown - sigterm) / 1_000_000,
                (System.nanoTime() - sigterm) / 1_000_000);
    }
}
