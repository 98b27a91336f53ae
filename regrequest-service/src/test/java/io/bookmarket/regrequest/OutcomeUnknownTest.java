package io.bookmarket.regrequest;

import io.bookmarket.stack.Stack;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.bookmarket.regrequest.Tests.stub;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection lost during the COMMIT itself (PostgreSQL killed after the statements, before the commit, by
 * {@link DatabaseCrashBeforeCommit}): the client is told that the outcome is unknown, and a retry with the same
 * Idempotency-Key files one request, not two.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class OutcomeUnknownTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aCommitCutOffIsOutcomeUnknownAndARetryWithTheSameKeyFilesOneRequest() {
        Tests.reset(breakers);
        long publId = Tests.newPublisher();
        String key = UUID.randomUUID().toString();
        String body = "{\"bookId\": 31, \"bookNm\": \"commit cut off\", \"publId\": " + publId + "}";

        DatabaseCrashBeforeCommit.arm();
        Response cutOff;
        try {
            cutOff = post(publId, key, body);
        } finally {
            StackTestResource.shared().restart(Stack.Component.POSTGRES);
            // Connections to the killed server are dropped now, not discovered one failed request at a time.
            dataSource.flush(AgroalDataSource.FlushMode.ALL);
        }
        assertThat(cutOff.statusCode()).as(cutOff.asString()).isEqualTo(503);
        assertThat(cutOff.contentType()).startsWith("application/problem+json");
        assertThat(cutOff.<String>path("type")).isEqualTo("urn:bookmarket:problem:outcome-unknown");
        assertThat(cutOff.header("Retry-After")).isNotBlank();

        Response retried = post(publId, key, body);
        assertThat(retried.statusCode()).as(retried.asString()).isEqualTo(201);
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).as("one request, not two").isEqualTo(1);
        long id = retried.<Number>path("id").longValue();
        assertThat(Tests.outbox(id)).as("one RegRequested event").hasSize(1);
        assertThat(stub().ticketOf(id)).as("the same review ticket").isNotNull();
    }

    private static Response post(long publId, String key, String body) {
        return OutcomeUnknownTest.postWith(publId, key, body);
    }

    static Response postWith(long publId, String key, String body) {
        return Tests.asPublisher(publId).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post("/regRequests");
    }
}
