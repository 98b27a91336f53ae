package io.bookmarket.approval;

import io.bookmarket.stack.Stack;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * MariaDB killed (SIGKILL): every endpoint answers 503 problem JSON with Retry-After (never 404 "not found", never a
 * 500) until it is back, then the same calls succeed without a restart of the service.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = {
        @ResourceArg(name = "database", value = "approval"), @ResourceArg(name = "engine", value = "mariadb")})
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(EventsWhileDown.class)
class DatabaseDownTest {

    @Test
    void withMariaDbDownEveryCallIsA503AndWorksAgainWhenItIsBack() {
        long request = Tests.newRequest();
        long id = Tests.confirmedTicket(request, Tests.newPublisher());
        Stack stack = StackTestResource.shared();
        stack.kill(Stack.Component.MARIADB);
        try {
            Tests.asReviewer().get("/approves/" + id).then().statusCode(503).header("Retry-After", notNullValue())
                    .contentType(startsWith("application/problem+json"));
            Tests.asReviewer().contentType(ContentType.JSON).body(Map.of("appYn", "Approved")).patch("/approves/" + id)
                    .then().statusCode(503).header("Retry-After", notNullValue())
                    .contentType(startsWith("application/problem+json"));
            Tests.asOpener().contentType(ContentType.JSON).body(Map.of("reqReqId", Tests.newRequest(), "appYn", "RegRequested",
                    "publId", 7)).post("/approves").then().statusCode(503).header("Retry-After", notNullValue());
            Tests.asReviewer().get("/approves").then().statusCode(503);
        } finally {
            stack.restart(Stack.Component.MARIADB);
        }
        Tests.asReviewer().contentType(ContentType.JSON).body(Map.of("appYn", "Approved")).patch("/approves/" + id)
                .then().statusCode(200).body("appYn", equalTo("Approved"));
    }
}
