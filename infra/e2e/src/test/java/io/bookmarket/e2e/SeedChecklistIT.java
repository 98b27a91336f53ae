package io.bookmarket.e2e;

import io.bookmarket.launcher.LocalSystem;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The original system's checklist, demonstrated the way its README did: over HTTP only, against the real stack
 * (PostgreSQL, Kafka, Kafka Connect + Debezium) and the three services as separate processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedChecklistIT {

    private static final Duration EVENTUALLY = Duration.ofSeconds(30);
    private static final Path DATA = Path.of("target/e2e-system");
    private static final AtomicLong PUBLISHERS = new AtomicLong(1000);
    private static LocalSystem.Options options;
    private static LocalSystem system;

    @BeforeAll
    static void startTheWholeSystem() throws IOException {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
        options = LocalSystem.Options.isolated(Path.of(System.getProperty("bookmarket.repo", "../..")), DATA)
                // The breaker scenario needs a short reopen delay; everything else runs on the shipped defaults.
                .env(REGREQUEST, Map.of("APPROVAL_BREAKER_DELAY", "3s"));
        long begin = System.nanoTime();
        system = LocalSystem.start(options.ephemeral(false));
        System.out.printf("E2E: whole system (PostgreSQL, MariaDB, Kafka, Connect + 2 connectors, 3 services) up in %d ms%n",
                Duration.ofNanos(System.nanoTime() - begin).toMillis());
    }

    @AfterAll
    static void stopEverything() {
        if (system != null) {
            system.close();
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
                .as("processes left behind").isZero();
    }

    @Test
    @Order(1)
    void filingOpensAReviewAndThePublisherSeesItAwaitingReview() {
        long publId = PUBLISHERS.incrementAndGet();
        long id = file(publId, 99, "mybook");
        Map<String, Object> ticket = awaitTicket(id);
        assertThat(ticket).containsEntry("appYn", "RegRequested").containsEntry("publId", (int) publId);
        awaitView(id, "RegRequested");
        assertThat(get(REGREQUEST, "/regRequests/" + id).<String>path("regYn")).isEqualTo("RegRequested");
    }

    @Test
    @Order(2)
    void approvingAndRejectingReachTheRequestAndTheView() {
        long publId = PUBLISHERS.incrementAndGet();
        long approved = file(publId, 10, "approved book");
        long rejected = file(publId, 11, "rejected book");
        decide(awaitTicket(approved), "Approved");
        decide(awaitTicket(rejected), "Rejected");
        awaitRequest(approved, "Approved");
        awaitRequest(rejected, "Rejected");
        awaitView(approved, "Approved");
        awaitView(rejected, "Rejected");
    }

    @Test
    @Order(3)
    void cancellingARequestCancelsItsReview() {
        long publId = PUBLISHERS.incrementAndGet();
        long id = file(publId, 12, "cancelled book");
        Map<String, Object> ticket = awaitTicket(id);
        given().delete(url(REGREQUEST) + "/regRequests/" + id).then().statusCode(200);
        assertThat(get(REGREQUEST, "/regRequests/" + id).<String>path("regYn")).isEqualTo("ReqCanceled");
        await().atMost(EVENTUALLY).until(() -> "AppCanceled".equals(get(APPROVAL, "/approves/" + ticket.get("id")).path("appYn")));
        awaitView(id, "ReqCanceled");
    }

    @Test
    @Order(4)
    void withApprovalDownFilingFailsFastAndStoresNothing() {
        long publId = PUBLISHERS.incrementAndGet();
        system.stopService(APPROVAL);
        try {
            long begin = System.nanoTime();
            Response refused = given().contentType(ContentType.JSON)
                    .body(Map.of("bookId", 13, "bookNm", "while approval is down", "publId", publId))
                    .post(url(REGREQUEST) + "/regRequests");
            long millis = Duration.ofNanos(System.nanoTime() - begin).toMillis();
            System.out.printf("E2E: POST with approval-service down answered %d in %d ms%n", refused.statusCode(), millis);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isNotBlank();
            assertThat(refused.contentType()).startsWith("application/problem+json");
        } finally {
            system.startService(APPROVAL);
        }
        assertThat(given().get(url(REGREQUEST) + "/regRequests?publId=" + publId).then().statusCode(200)
                .extract().<List<?>>path("$")).as("no request stored").isEmpty();
        long id = file(publId, 13, "after approval is back");
        awaitView(id, "RegRequested");
        assertThat(given().get(url(PUBLISHER_VIEW) + "/publpages?publId=" + publId).then().statusCode(200)
                .extract().<List<?>>path("$")).as("only the accepted request is in the view").hasSize(1);
    }

    @Test
    @Order(5)
    void cancellingWhileApprovalIsDownCatchesUpAfterItsRestart() {
        long publId = PUBLISHERS.incrementAndGet();
        long id = file(publId, 14, "cancelled while approval is down");
        Map<String, Object> ticket = awaitTicket(id);
        system.stopService(APPROVAL);
        try {
            given().delete(url(REGREQUEST) + "/regRequests/" + id).then().statusCode(200);
        } finally {
            system.startService(APPROVAL);
        }
        long begin = System.nanoTime();
        await().atMost(EVENTUALLY).until(() -> "AppCanceled".equals(get(APPROVAL, "/approves/" + ticket.get("id")).path("appYn")));
        System.out.printf("E2E: approval-service caught up with the cancellation %d ms after its restart%n",
                Duration.ofNanos(System.nanoTime() - begin).toMillis());
    }

    @Test
    @Order(6)
    void aHangingApprovalOpensTheBreakerAndRequestsAreRejectedFast() throws Exception {
        long publId = PUBLISHERS.incrementAndGet();
        long approvalPid = system.service(APPROVAL).pid();
        signal("STOP", approvalPid); // approval-service hangs: connections open, no answers
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        try {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                answers.add(pool.submit(() -> {
                    long begin = System.nanoTime();
                    int status = given().contentType(ContentType.JSON)
                            .body(Map.of("bookId", 15, "bookNm", "while approval hangs", "publId", publId))
                            .post(url(REGREQUEST) + "/regRequests").statusCode();
                    latencies.add(Duration.ofNanos(System.nanoTime() - begin).toMillis());
                    return status;
                }));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(503);
            }
            pool.shutdown();
            // The breaker is open now: requests are refused without the review call being made. Only requests sent
            // and answered while the breaker stayed open count (on a slow machine its 3 s delay may end meanwhile,
            // and a trial call then waits for the hanging service: that one is not a refusal by the open breaker).
            assertThat(metric("ft_circuitbreaker_opened_total")).as("the breaker opened").isPositive();
            List<Long> open = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                double calls = metric("ft_circuitbreaker_calls_total");
                double opened = metric("ft_circuitbreaker_opened_total");
                boolean openBefore = "OPEN".equals(breakerState());
                long begin = System.nanoTime();
                Response refused = given().contentType(ContentType.JSON)
                        .body(Map.of("bookId", 16, "bookNm", "breaker open", "publId", publId))
                        .post(url(REGREQUEST) + "/regRequests");
                long millis = Duration.ofNanos(System.nanoTime() - begin).toMillis();
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.header("Retry-After")).isNotBlank();
                assertThat(refused.contentType()).startsWith("application/problem+json");
                if (openBefore && "OPEN".equals(breakerState()) && metric("ft_circuitbreaker_opened_total") == opened) {
                    assertThat(metric("ft_circuitbreaker_calls_total")).as("refused without calling approval-service")
                            .isEqualTo(calls);
                    open.add(millis);
                }
            }
            assertThat(open).as("requests refused while the breaker was open").isNotEmpty();
            Collections.sort(open);
            System.out.printf("E2E: breaker open: %d POSTs refused in p50 %d ms, max %d ms (while the breaker was closing in: max %d ms)%n",
                    open.size(), open.get(open.size() / 2), open.getLast(), Collections.max(latencies));
        } finally {
            signal("CONT", approvalPid);
        }
        await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(500)).until(() -> given().contentType(ContentType.JSON)
                .body(Map.of("bookId", 17, "bookNm", "after recovery", "publId", publId))
                .post(url(REGREQUEST) + "/regRequests").statusCode() == 201);
        assertThat(given().get(url(REGREQUEST) + "/regRequests?publId=" + publId).then().statusCode(200)
                .extract().<List<?>>path("$")).as("only the request filed after recovery exists").hasSize(1);
    }

    @Test
    @Order(7)
    void commitToViewLatencyOver200Requests() throws Exception {
        long publId = PUBLISHERS.incrementAndGet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Long>> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int book = i;
            ids.add(pool.submit(() -> file(publId, 1000 + book, "latency book " + book)));
        }
        List<Long> requestIds = new ArrayList<>();
        for (Future<Long> id : ids) {
            requestIds.add(id.get());
        }
        pool.shutdown();
        await().atMost(EVENTUALLY).until(() -> given().get(url(PUBLISHER_VIEW) + "/publpages?publId=" + publId + "&size=100")
                .header("X-Total-Count").equals("200"));
        List<Long> lags = new ArrayList<>();
        for (long id : requestIds) {
            Response view = get(PUBLISHER_VIEW, "/publpages/" + id);
            Instant committed = Instant.parse(view.path("lastEventAt"));
            Instant applied = Instant.parse(view.path("updatedAt"));
            lags.add(Duration.between(committed, applied).toMillis());
        }
        Collections.sort(lags);
        // A burst as fast as 4 clients can file, so queueing is included; infra/bench measures the lag at a steady rate.
        System.out.printf("E2E: commit -> publisher-view latency over %d requests filed in a burst by 4 clients: p50 %d ms, p99 %d ms, max %d ms%n",
                lags.size(), lags.get(lags.size() / 2), lags.get((int) Math.ceil(lags.size() * 0.99) - 1), lags.getLast());
        assertThat(lags).as("every event applied after its source transaction committed").allMatch(lag -> lag >= 0);
    }

    @Test
    @Order(8)
    void afterAWholeRestartEverythingIsStillThereAndNewRequestsFlow() {
        long publId = PUBLISHERS.incrementAndGet();
        long before = file(publId, 18, "before the restart");
        Map<String, Object> ticket = awaitTicket(before);
        decide(ticket, "Approved");
        awaitView(before, "Approved");
        system.close();
        long begin = System.nanoTime();
        // Same data directory; infrastructure ports may differ, services find them through their configuration.
        system = LocalSystem.start(options.ephemeral(true));
        System.out.printf("E2E: whole system restarted on its data in %d ms%n", Duration.ofNanos(System.nanoTime() - begin).toMillis());
        assertThat(get(REGREQUEST, "/regRequests/" + before).<String>path("regYn")).isEqualTo("Approved");
        assertThat(get(APPROVAL, "/approves/" + ticket.get("id")).<String>path("appYn")).isEqualTo("Approved");
        assertThat(get(PUBLISHER_VIEW, "/publpages/" + before).<String>path("status")).isEqualTo("Approved");
        long after = file(publId, 19, "after the restart");
        decide(awaitTicket(after), "Rejected");
        awaitView(after, "Rejected");
    }

    // ---- helpers: the publisher's, the reviewer's and the view's HTTP calls ----

    private static long file(long publId, long bookId, String bookNm) {
        return given().contentType(ContentType.JSON).body(Map.of("bookId", bookId, "bookNm", bookNm, "publId", publId))
                .post(url(REGREQUEST) + "/regRequests").then().statusCode(201).extract().<Number>path("id").longValue();
    }

    /** The ticket of a request, once the reviewers' queue offers it (confirmed by the RegRequested event). */
    private static Map<String, Object> awaitTicket(long reqId) {
        return await().atMost(EVENTUALLY).until(() -> {
            List<Map<String, Object>> tickets = given().get(url(APPROVAL) + "/approves?reqReqId=" + reqId)
                    .then().statusCode(200).extract().path("$");
            return tickets.isEmpty() ? null : tickets.getFirst();
        }, t -> t != null);
    }

    private static void decide(Map<String, Object> ticket, String appYn) {
        given().contentType(ContentType.JSON).body(Map.of("appYn", appYn))
                .patch(url(APPROVAL) + "/approves/" + ticket.get("id")).then().statusCode(200);
    }

    private static void awaitRequest(long id, String regYn) {
        await().atMost(EVENTUALLY).until(() -> regYn.equals(get(REGREQUEST, "/regRequests/" + id).path("regYn")));
    }

    private static void awaitView(long reqId, String status) {
        await().atMost(EVENTUALLY).until(() -> {
            Response view = given().get(url(PUBLISHER_VIEW) + "/publpages/" + reqId);
            return view.statusCode() == 200 && status.equals(view.path("status"));
        });
    }

    private static Response get(String service, String path) {
        Response response = given().get(url(service) + path);
        assertThat(response.statusCode()).as("GET %s%s", service, path).isEqualTo(200);
        return response;
    }

    /** The sum of a Prometheus metric of regrequest-service's review call (all its label combinations). */
    private static double metric(String name) {
        return given().get(url(REGREQUEST) + "/q/metrics").asString().lines()
                .filter(line -> line.startsWith(name + "{") && line.contains("ApprovalReview"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** The breaker's state as regrequest-service's readiness check reports it. */
    private static String breakerState() {
        return given().get(url(REGREQUEST) + "/q/health/ready")
                .path("checks.find { it.name == 'approval-review circuit breaker' }.data.state");
    }

    private static String url(String service) {
        return system.url(service);
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor()).isZero();
    }
}
