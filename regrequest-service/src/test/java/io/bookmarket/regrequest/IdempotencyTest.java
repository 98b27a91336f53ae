package io.bookmarket.regrequest;

import io.bookmarket.stack.StackTestResource;
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

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.bookmarket.regrequest.Tests.stub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Idempotency-Key on POST: a retried request files nothing new and opens no second review ticket. */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class IdempotencyTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void healthyApproval() {
        Tests.reset(breakers);
    }

    @Test
    void sameKeySameBodyReturnsTheFirstAnswerAndFilesNothingNew() {
        long publId = Tests.newPublisher();
        String key = UUID.randomUUID().toString();
        Response first = post(publId, key, "{\"bookId\": 21, \"bookNm\": \"retried\", \"publId\": " + publId + "}");
        first.then().statusCode(201);
        long id = first.<Number>path("id").longValue();
        // the same body, as the original's clients would send it (strings, a regYn): the same request
        Response again = post(publId, key, "{\"bookId\": \"21\", \"bookNm\": \"retried\", \"regYn\": \"Y\", \"publId\": \"" + publId + "\"}");
        again.then().statusCode(201);
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(again.asString()).isEqualTo(first.asString());
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).isEqualTo(1);
        assertThat(Tests.outbox(id)).hasSize(1);
        assertThat(stub().calls()).as("no second review ticket").isEqualTo(1);
    }

    @Test
    void sameKeyDifferentBodyIs422() {
        long publId = Tests.newPublisher();
        String key = UUID.randomUUID().toString();
        post(publId, key, "{\"bookId\": 22, \"bookNm\": \"first\", \"publId\": " + publId + "}").then().statusCode(201);
        post(publId, key, "{\"bookId\": 22, \"bookNm\": \"second\", \"publId\": " + publId + "}").then().statusCode(422)
                .contentType(startsWith("application/problem+json")).body("status", equalTo(422))
                .body("type", equalTo("urn:bookmarket:problem:idempotency-key-reused"));
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).isEqualTo(1);
        assertThat(stub().calls()).isEqualTo(1);
    }

    @Test
    void aRetryAfterA503ReusesTheSameRequestId() {
        long publId = Tests.newPublisher();
        String key = UUID.randomUUID().toString();
        String body = "{\"bookId\": 23, \"bookNm\": \"retry after 503\", \"publId\": " + publId + "}";
        stub().fail(502);
        post(publId, key, body).then().statusCode(503).header("Retry-After", "2");
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).isZero();
        long askedFor = stub().received().getFirst().get("reqReqId").asLong();
        stub().answer();
        Response accepted = post(publId, key, body);
        accepted.then().statusCode(201);
        // approval-service was asked about the same request both times: one ticket, not an orphan and a new one
        assertThat(accepted.<Number>path("id").longValue()).isEqualTo(askedFor);
        assertThat(stub().received().getLast().get("reqReqId").asLong()).isEqualTo(askedFor);
    }

    @Test
    void concurrentDuplicatesCreateOneRequest() throws Exception {
        long publId = Tests.newPublisher();
        String key = UUID.randomUUID().toString();
        String body = "{\"bookId\": 24, \"bookNm\": \"double click\", \"publId\": " + publId + "}";
        stub().slow(100); // keeps the duplicates in flight together
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(pool.submit((Callable<Response>) () -> post(publId, key, body)));
        }
        List<Long> ids = new ArrayList<>();
        for (Future<Response> answer : answers) {
            Response response = answer.get();
            assertThat(response.statusCode()).isEqualTo(201);
            ids.add(response.<Number>path("id").longValue());
        }
        pool.shutdown();
        assertThat(ids).containsOnly(ids.getFirst());
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).isEqualTo(1);
        assertThat(Tests.outbox(ids.getFirst())).hasSize(1);
        assertThat(stub().received()).allSatisfy(r -> assertThat(r.get("reqReqId").asLong()).isEqualTo(ids.getFirst()));
    }

    @Test
    void anOverlongKeyIs400() {
        String body = "{\"bookId\": 25, \"bookNm\": \"bad key\", \"publId\": 1}";
        post(1, "k".repeat(256), body).then().statusCode(400).contentType(startsWith("application/problem+json"));
        assertThat(stub().calls()).isZero();
    }

    private static Response post(long publId, String key, String body) {
        return Tests.asPublisher(publId).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post("/regRequests");
    }
}
