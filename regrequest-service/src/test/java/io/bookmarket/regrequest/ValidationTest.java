package io.bookmarket.regrequest;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.bookmarket.regrequest.Tests.stub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/** Every invalid body is a 400 problem naming the field; nothing is stored and approval-service is not called. */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class ValidationTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    /** The publisher of every body here (publId 11 in the valid body). */
    private static final long PUBLISHER = 11;

    private long rowsBefore;
    private long outboxBefore;

    @BeforeEach
    void healthyApproval() {
        Tests.reset(breakers);
        rowsBefore = Tests.count("SELECT count(*) FROM reg_request");
        outboxBefore = Tests.count("SELECT count(*) FROM outboxevent");
    }

    @Test
    void missingOrInvalidFieldsAreNamed() {
        assertInvalid(without("bookId"), "bookId");
        assertInvalid(without("bookNm"), "bookNm");
        assertInvalid(without("publId"), "publId");
        assertInvalid(with("bookId", 0), "bookId");
        assertInvalid(with("bookId", -3), "bookId");
        assertInvalid(with("publId", 0), "publId");
        assertInvalid(with("publId", "-1"), "publId");
        assertInvalid(with("bookNm", ""), "bookNm");
        assertInvalid(with("bookNm", "   "), "bookNm");
        assertInvalid(with("bookNm", "x".repeat(201)), "bookNm");
        assertInvalid(with("bookId", null), "bookId");
    }

    @Test
    void wrongTypesAreNamed() {
        assertInvalid(with("bookId", "ten"), "bookId");
        assertInvalid(with("bookId", 10.5), "bookId");
        assertInvalid(with("bookId", "10.5"), "bookId");
        assertInvalid(with("publId", Map.of("id", 1)), "publId");
        assertInvalid(with("publId", java.util.List.of(1)), "publId");
        assertInvalid(with("bookNm", Map.of("ko", "책")), "bookNm");
    }

    @Test
    void malformedOrMissingBodyIs400() {
        Response malformed = Tests.asPublisher(PUBLISHER).contentType(ContentType.JSON).body("{\"bookId\": 1, \"bookNm\": ").post("/regRequests");
        malformed.then().statusCode(400).contentType(startsWith("application/problem+json"))
                .body("status", equalTo(400)).body("title", equalTo("Malformed JSON"))
                .body("detail", startsWith("The request body is not valid JSON"));
        Tests.asPublisher(PUBLISHER).contentType(ContentType.JSON).post("/regRequests").then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("status", equalTo(400));
        Tests.asPublisher(PUBLISHER).contentType(ContentType.JSON).body("[1, 2]").post("/regRequests").then().statusCode(400)
                .contentType(startsWith("application/problem+json"));
        Tests.asPublisher(PUBLISHER).contentType(ContentType.TEXT).body("bookId=1").post("/regRequests").then().statusCode(415)
                .contentType(startsWith("application/problem+json"));
        assertNothingHappened();
    }

    @Test
    void theLongestNameIsAccepted() {
        Tests.asPublisher(PUBLISHER).contentType(ContentType.JSON).body(with("bookNm", "x".repeat(200))).post("/regRequests")
                .then().statusCode(201).body("bookNm.length()", equalTo(200));
    }

    private void assertInvalid(Map<String, Object> body, String field) {
        Tests.asPublisher(PUBLISHER).contentType(ContentType.JSON).body(body).post("/regRequests").then()
                .statusCode(400).contentType(startsWith("application/problem+json"))
                .body("status", equalTo(400))
                .body("detail", containsString(field))
                .body("errors.field", hasItem(field));
        assertNothingHappened();
    }

    private void assertNothingHappened() {
        assertThat(Tests.count("SELECT count(*) FROM reg_request")).isEqualTo(rowsBefore);
        assertThat(Tests.count("SELECT count(*) FROM outboxevent")).isEqualTo(outboxBefore);
        assertThat(stub().calls()).as("approval-service not called").isZero();
    }

    private static Map<String, Object> valid() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bookId", 10);
        body.put("bookNm", "valid name");
        body.put("publId", 11);
        return body;
    }

    private static Map<String, Object> with(String field, Object value) {
        Map<String, Object> body = valid();
        body.put(field, value);
        return body;
    }

    private static Map<String, Object> without(String field) {
        Map<String, Object> body = valid();
        body.remove(field);
        return body;
    }
}
