package io.bookmarket.approval;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Tickets never confirmed (the request failed to commit after the synchronous call) expire; confirmed ones stay. */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(EventsWhileDown.class)
class ExpiryTest {

    @Test
    void anUnconfirmedTicketExpiresAfterTheWindowAndAConfirmedOneStays() {
        long publId = Tests.newPublisher();
        long kept = Tests.newRequest();
        long orphan = Tests.newRequest();
        long keptId = Tests.confirmedTicket(kept, publId);
        // opened after the confirmed one: once it is gone, the confirmed one was past the window too
        long orphanId = Tests.open(orphan, publId);
        Tests.asReviewer().queryParam("publId", publId).queryParam("confirmed", "false").get("/approves").then().statusCode(200)
                .header("X-Total-Count", "1").body("[0].id", equalTo((int) orphanId));

        long opened = System.nanoTime();
        await().atMost(Tests.EVENTUALLY).pollInterval(Duration.ofMillis(100)).until(() -> Tests.ticket(orphan) == null);
        System.out.printf("Unconfirmed ticket opened -> expired: %d ms (test window 3s, job every 1s)%n",
                (System.nanoTime() - opened) / 1_000_000);

        Tests.asReviewer().get("/approves/" + orphanId).then().statusCode(404);
        Tests.asReviewer().get("/approves/" + keptId).then().statusCode(200).body("confirmed", equalTo(true));
        assertThat(Tests.outbox(orphanId)).as("the request never existed: nothing to announce").isEmpty();
        given().get("/q/metrics").then().statusCode(200).body(containsString("approve_tickets_expired_total"));

        // regrequest-service retrying later finds no ticket and opens a new one: nothing is lost
        long reopened = Tests.open(orphan, publId);
        assertThat(reopened).isNotEqualTo(orphanId);
    }
}
