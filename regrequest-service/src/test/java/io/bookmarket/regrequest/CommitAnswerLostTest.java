package io.bookmarket.regrequest;

import io.agroal.api.AgroalDataSource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.bookmarket.regrequest.Tests.stub;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The case that matters for an outcome-unknown answer: the COMMIT succeeds and its answer is lost (the connection is
 * cut right after it, {@link CommitAnswerLost}). The request is stored, the client hears 503 outcome-unknown, and a
 * retry with the same Idempotency-Key must answer the stored request, not file a second one.
 */
@QuarkusTest
@QuarkusTestResource(value = CommitAnswerLost.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class CommitAnswerLostTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aCommitWhoseAnswerIsLostIsOutcomeUnknownAndARetryWithTheSameKeyAnswersTheStoredRequest() {
        Tests.reset(breakers);
        long publId = Tests.newPublisher();
        String key = UUID.randomUUID().toString();
        String body = "{\"bookId\": 32, \"bookNm\": \"commit answer lost\", \"publId\": " + publId + "}";

        CommitAnswerLost.arm();
        Response lost = OutcomeUnknownTest.postWith(publId, key, body);
        // The cut connection is dropped now, not discovered by the next request.
        dataSource.flush(AgroalDataSource.FlushMode.ALL);
        assertThat(CommitAnswerLost.happened()).as("a COMMIT's answer was cut").isTrue();
        assertThat(lost.statusCode()).as(lost.asString()).isEqualTo(503);
        assertThat(lost.<String>path("type")).isEqualTo("urn:bookmarket:problem:outcome-unknown");
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId))
                .as("the COMMIT went through: the request is stored").isEqualTo(1);

        Response retried = OutcomeUnknownTest.postWith(publId, key, body);
        assertThat(retried.statusCode()).as(retried.asString()).isEqualTo(201);
        long id = retried.<Number>path("id").longValue();
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).as("one request, not two").isEqualTo(1);
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ? AND id = ?", publId, id))
                .as("the retry answers the stored request's id").isEqualTo(1);
        assertThat(Tests.outbox(id)).as("one RegRequested event").hasSize(1);
        assertThat(stub().ticketOf(id)).as("one review ticket, the first one").isNotNull();
    }
}
