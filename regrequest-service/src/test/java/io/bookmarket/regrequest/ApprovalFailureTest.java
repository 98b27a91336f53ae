package io.bookmarket.regrequest;

import io.bookmarket.regrequest.client.ApprovalReview;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.bookmarket.regrequest.Tests.stub;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * approval-service down, slow or failing: the publisher gets 503 + Retry-After and nothing is stored; the breaker
 * opens, refuses without calling approval-service, and closes again after its delay.
 * Test profile: timeout 1 s, 1 retry after 50 ms, breaker opens at 50% of 4 calls, delay 3 s, Retry-After 2 s.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class ApprovalFailureTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void healthyApproval() {
        Tests.reset(breakers);
    }

    @Test
    void approvalDownIs503AndNothingIsStored() {
        stub().mode(ApprovalStub.Mode.DOWN);
        assertRefusedAndNothingStored("down");
    }

    @Test
    void approvalTooSlowTimesOutInto503AndNothingIsStored() {
        stub().slow(2_000);
        assertRefusedAndNothingStored("slow");
        assertThat(stub().calls()).as("one call and one retry").isEqualTo(2);
    }

    @Test
    void approvalFailingIs503AfterOneRetryAndNothingIsStored() {
        stub().fail(500);
        assertRefusedAndNothingStored("5xx");
        assertThat(stub().calls()).as("one call and one retry").isEqualTo(2);
    }

    @Test
    void theBreakerOpensRefusesWithoutCallingApprovalThenClosesAfterItsDelay() {
        long publId = Tests.newPublisher();
        stub().fail(503);
        // 2 requests = 4 failed calls (each retried once): the breaker's window (4 calls) is full of failures
        post(publId).then().statusCode(503);
        post(publId).then().statusCode(503);
        assertThat(breakers.currentState(ApprovalReview.BREAKER)).isEqualTo(CircuitBreakerState.OPEN);
        int callsWhenOpened = stub().calls();
        assertThat(callsWhenOpened).isEqualTo(4);

        long opened = System.nanoTime();
        stub().answer(); // approval-service is back, but the breaker does not know yet
        List<Long> millis = new ArrayList<>();
        // Only requests sent well inside the breaker's delay (3 s in tests) must be refused: on a busy machine a
        // later one may already be the half-open trial.
        for (int i = 0; i < 10 && Duration.ofNanos(System.nanoTime() - opened).toMillis() < 1_500; i++) {
            long begin = System.nanoTime();
            Response refused = post(publId);
            millis.add(Duration.ofNanos(System.nanoTime() - begin).toMillis());
            refused.then().statusCode(503).contentType("application/problem+json").header("Retry-After", "2");
        }
        assertThat(stub().calls()).as("refused without calling approval-service").isEqualTo(callsWhenOpened);
        assertThat(millis).as("requests sent while the breaker was open").isNotEmpty();
        Collections.sort(millis);
        System.out.printf("Breaker open: POST refused in p50 %d ms, max %d ms (no call to approval-service)%n",
                millis.get(millis.size() / 2), millis.getLast());

        // visible: readiness stays UP and names the state; metrics count the opening
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("UP"))
                .body("checks.find { it.name == 'approval-review circuit breaker' }.data.state", org.hamcrest.Matchers.equalTo("OPEN"));
        String metrics = given().get("/q/metrics").asString();
        String method = "method=\"io.bookmarket.regrequest.client.ApprovalReview.open\"";
        assertThat(metrics)
                .contains("ft_circuitbreaker_state_current{" + method + ",state=\"open\"} 1.0")
                .contains("ft_circuitbreaker_opened_total{" + method + "}")
                .contains("ft_circuitbreaker_calls_total{circuitBreakerResult=\"circuitBreakerOpen\"," + method + "}");
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).isZero();

        // after the delay a trial call goes through and closes the breaker
        long begin = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> post(publId).statusCode() == 201);
        System.out.printf("Breaker: first request accepted %d ms after approval-service came back%n",
                Duration.ofNanos(System.nanoTime() - begin).toMillis());
        assertThat(breakers.currentState(ApprovalReview.BREAKER)).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(stub().calls()).isEqualTo(callsWhenOpened + 1);
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'approval-review circuit breaker' }.data.state", org.hamcrest.Matchers.equalTo("CLOSED"));
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).isEqualTo(1);
    }

    private void assertRefusedAndNothingStored(String what) {
        long publId = Tests.newPublisher();
        ApprovalStub.Mode failure = stub().mode();
        stub().mode(ApprovalStub.Mode.ANSWER);
        Tests.file(Tests.newPublisher(), 1, "warm-up"); // so the figure printed below is not the first request's
        stub().reset();
        stub().mode(failure);
        long requestsBefore = Tests.count("SELECT count(*) FROM reg_request");
        long outboxBefore = Tests.count("SELECT count(*) FROM outboxevent");
        long begin = System.nanoTime();
        Response refused = post(publId);
        long millis = Duration.ofNanos(System.nanoTime() - begin).toMillis();
        System.out.printf("approval-service %s: POST answered %d in %d ms%n", what, refused.statusCode(), millis);
        refused.then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "2")
                .body("status", org.hamcrest.Matchers.equalTo(503))
                .body("type", org.hamcrest.Matchers.equalTo("urn:bookmarket:problem:review-unavailable"))
                .body("detail", org.hamcrest.Matchers.containsString("review service is unavailable"))
                .body("detail", org.hamcrest.Matchers.containsString("retry later"));
        assertThat(Tests.count("SELECT count(*) FROM reg_request")).isEqualTo(requestsBefore);
        assertThat(Tests.count("SELECT count(*) FROM outboxevent")).isEqualTo(outboxBefore);
        Tests.asPublisher(publId).get("/regRequests").then().statusCode(200).header("X-Total-Count", "0");
    }

    private static Response post(long publId) {
        return Tests.asPublisher(publId).contentType(ContentType.JSON)
                .body(Map.of("bookId", 7, "bookNm", "under review trouble", "publId", publId))
                .post("/regRequests");
    }
}
