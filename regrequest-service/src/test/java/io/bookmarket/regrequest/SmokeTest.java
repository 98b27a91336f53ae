package io.bookmarket.regrequest;

import io.bookmarket.stack.StackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;

@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
class SmokeTest {
    @Test
    void ready() {
        given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"));
    }
}
