package io.bookmarket.regrequest;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.bookmarket.support.tracing.TraceIds;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static io.bookmarket.regrequest.Tests.stub;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Filings that arrive while regrequest-service fetches its own token (after a start, and whenever the token is renewed)
 * wait for that one fetch; each must still call approval-service within its own trace, sampled or not. A profile of its
 * own, so the application starts without a token.
 */
@QuarkusTest
@TestProfile(ReviewCallTraceTest.WithoutToken.class)
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "regrequest"))
@QuarkusTestResource(OidcServer.class)
@QuarkusTestResource(ApprovalStub.class)
class ReviewCallTraceTest {

    private static final int FILINGS = 6;

    public static class WithoutToken implements QuarkusTestProfile {
    }

    @Inject
    CircuitBreakerMaintenance breakers;

    @Test
    void filingsWaitingForOneTokenFetchEachCallApprovalInTheirOwnTrace() throws Exception {
        Tests.reset(breakers);
        // Long enough for every filing to arrive while the fetch runs, well within the review's timeout (1 s in tests).
        stub().slowTokens(150);
        long publId = Tests.newPublisher();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(FILINGS);
        try {
            List<Future<Filing>> filings = new ArrayList<>();
            for (int i = 0; i < FILINGS; i++) {
                long bookId = 300 + i;
                // Half of the callers send a sampled trace; the others send none, and the service's sampler (a tenth)
                // leaves most of their traces unsampled: both kinds must keep their own trace.
                boolean traced = i % 2 == 0;
                filings.add(callers.submit(() -> {
                    String sent = HexFormat.of().formatHex(randomBytes(16));
                    var filing = Tests.asPublisher(publId).contentType(ContentType.JSON)
                            .body(Map.of("bookId", bookId, "bookNm", "traced filing", "publId", publId));
                    if (traced) {
                        filing.header("traceparent", "00-" + sent + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-01");
                    }
                    start.await();
                    var answer = filing.post("/regRequests").then().statusCode(201).extract();
                    String traceId = answer.header(TraceIds.HEADER);
                    if (traced) {
                        assertThat(traceId).as("the answer's trace").isEqualTo(sent);
                    }
                    return new Filing(answer.<Number>path("id").longValue(), traceId);
                }));
            }
            start.countDown();
            List<Filing> filed = new ArrayList<>();
            for (Future<Filing> filing : filings) {
                filed.add(filing.get());
            }
            assertThat(stub().tokenRequests()).as("the filings shared one token fetch").isEqualTo(1);
            for (Filing filing : filed) {
                assertThat(stub().traceparentOf(filing.id())).as("request %d's review call", filing.id())
                        .isNotNull()
                        .satisfies(traceparent -> assertThat(traceparent.split("-")[1]).as("its trace")
                                .isEqualTo(filing.traceId()));
            }
        } finally {
            callers.shutdownNow();
        }
    }

    private record Filing(long id, String traceId) {
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        bytes[0] |= 1; // never all zeros (invalid)
        return bytes;
    }
}
