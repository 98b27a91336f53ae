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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.bookmarket.regrequest.Tests.stub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
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

    /**
     * The same Idempotency-Key from 8 clients at the same moment (a double-click, a retrying proxy, several replicas
     * behind a load balancer): one request is stored, one review opened, and every answer is the same 201. Nothing
     * here is decided in memory: the key's primary key picks one request id, the request's primary key one row.
     */
    @Test
    void sameKeyFromEightClientsAtOnceFilesOneRequest() throws Exception {
        long publId = Tests.newPublisher();
        String key = UUID.randomUUID().toString();
        String body = "{\"bookId\": 24, \"bookNm\": \"double click\", \"publId\": " + publId + "}";
        stub().slow(100); // keeps the duplicates in flight together
        List<Response> answers = together(8, () -> post(publId, key, body));
        assertAllTheSame201(answers);
        long id = answers.getFirst().<Number>path("id").longValue();
        assertThat(Tests.count("SELECT count(*) FROM reg_request WHERE publ_id = ?", publId)).isEqualTo(1);
        assertThat(Tests.outbox(id)).hasSize(1);
        assertThat(stub().received()).allSatisfy(r -> assertThat(r.get("reqReqId").asLong()).isEqualTo(id));
        assertThat(Tests.query("SELECT request_id, response IS NOT NULL AS answered FROM idempotency_key WHERE idem_key = ?",
                publId + ":" + key)).containsExactly(Map.of("request_id", id, "answered", true));
    }

    /**
     * Another replica reserved the key a moment earlier and has not committed yet (played here by a plain connection
     * holding the uncommitted row, with a request id of its own block): this replica's 8 duplicates wait for it on
     * the key's primary key, then all file under the other replica's id, which never was in this process's memory.
     */
    @Test
    void aKeyAnotherReplicaIsReservingIsHonouredNotDuplicated() throws Exception {
        long publId = Tests.newPublisher();
        String key = UUID.randomUUID().toString();
        long bookId = 26;
        String bookNm = "two replicas";
        String body = "{\"bookId\": " + bookId + ", \"bookNm\": \"" + bookNm + "\", \"publId\": " + publId + "}";
        List<Response> answers;
        long otherReplicasId;
        try (Connection otherReplica = StackTestResource.shared().postgres().connect("regrequest")) {
            otherReplica.setAutoCommit(false);
            try (Statement st = otherReplica.createStatement(); ResultSet rs = st.executeQuery("SELECT nextval('reg_request_seq')")) {
                rs.next();
                otherReplicasId = rs.getLong(1);
            }
            try (PreparedStatement reserve = otherReplica.prepareStatement(
                    "INSERT INTO idempotency_key (idem_key, body_hash, request_id) VALUES (?, ?, ?)")) {
                reserve.setString(1, publId + ":" + key);
                reserve.setString(2, fingerprint(bookId, publId, bookNm));
                reserve.setLong(3, otherReplicasId);
                assertThat(reserve.executeUpdate()).isEqualTo(1);
            }
            ExecutorService clients = Executors.newSingleThreadExecutor();
            try {
                Future<List<Response>> pending = clients.submit(() -> together(8, () -> post(publId, key, body)));
                // all 8 reservations wait for the other replica's transaction, on the key's primary key
                await().atMost(Duration.ofSeconds(20)).until(() -> Tests.count("""
                        SELECT count(*) FROM pg_stat_activity
                        WHERE wait_event_type = 'Lock' AND query ILIKE '%INSERT INTO idempotency_key%'""") == 8);
                assertThat(stub().calls()).as("nobody went past the key yet").isZero();
                otherReplica.commit();
                answers = pending.get();
            } finally {
                clients.shutdownNow();
            }
        }
        assertAllTheSame201(answers);
        assertThat(answers.getFirst().<Number>path("id").longValue()).isEqualTo(otherReplicasId);
        assertThat(Tests.query("SELECT id FROM reg_request WHERE publ_id = ?", publId)).containsExactly(Map.of("id", otherReplicasId));
        assertThat(Tests.outbox(otherReplicasId)).hasSize(1);
        assertThat(stub().received()).isNotEmpty()
                .allSatisfy(r -> assertThat(r.get("reqReqId").asLong()).isEqualTo(otherReplicasId));
    }

    @Test
    void anOverlongKeyIs400() {
        String body = "{\"bookId\": 25, \"bookNm\": \"bad key\", \"publId\": 1}";
        post(1, "k".repeat(256), body).then().statusCode(400).contentType(startsWith("application/problem+json"));
        assertThat(stub().calls()).isZero();
    }

    /** Runs {@code call} from {@code clients} threads released at the same moment; the answers in thread order. */
    private static List<Response> together(int clients, Callable<Response> call) throws Exception {
        CyclicBarrier start = new CyclicBarrier(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Response>> pending = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                pending.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            List<Response> answers = new ArrayList<>();
            for (Future<Response> answer : pending) {
                answers.add(answer.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertAllTheSame201(List<Response> answers) {
        Response first = answers.getFirst();
        assertThat(answers).allSatisfy(a -> {
            assertThat(a.statusCode()).as(a.asString()).isEqualTo(201);
            assertThat(a.header("Location")).isEqualTo(first.header("Location"));
            assertThat(a.asString()).isEqualTo(first.asString());
        });
    }

    /** What regrequest-service stores as body_hash (service.NewRegRequest.fingerprint): another replica computes the same. */
    private static String fingerprint(long bookId, long publId, String bookNm) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest((bookId + "\n" + publId + "\n" + bookNm).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static Response post(long publId, String key, String body) {
        return Tests.asPublisher(publId).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post("/regRequests");
    }
}
