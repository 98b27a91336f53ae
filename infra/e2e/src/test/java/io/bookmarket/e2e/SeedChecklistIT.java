package io.bookmarket.e2e;

import io.bookmarket.stack.Realm;
import io.bookmarket.launcher.LocalSystem;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The original system's checklist, demonstrated the way its README did: over HTTP only, against the real stack
 * (PostgreSQL, Kafka, Kafka Connect + Debezium, Keycloak) and the three services as separate processes. Every call
 * carries the access token of the person making it, issued by the real Keycloak: publishers {@code publisher100} and
 * {@code publisher200} file, read and cancel; the {@code reviewer} decides; {@code admin} rebuilds the view.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(WholeSystem.class)
class SeedChecklistIT {

    private static final Duration EVENTUALLY = Duration.ofSeconds(30);
    /** The realm's demo users (infra/keycloak/bookmarket-realm.json); a publisher's publId is in its token. */
    private static final String PUBLISHER = Realm.PUBLISHER.name();
    private static final long PUBL_ID = Realm.PUBLISHER.publId();
    private static final String OTHER_PUBLISHER = Realm.OTHER_PUBLISHER.name();
    private static final long OTHER_PUBL_ID = Realm.OTHER_PUBLISHER.publId();
    private static final String REVIEWER = Realm.REVIEWER.name();
    private static final String ADMIN = Realm.ADMIN.name();
    private static LocalSystem system;

    @BeforeAll
    static void useTheWholeSystem() {
        system = WholeSystem.system();
    }

    @Test
    @Order(1)
    void filingOpensAReviewAndThePublisherSeesItAwaitingReview() {
        long id = file(PUBLISHER, PUBL_ID, 99, "mybook");
        Map<String, Object> ticket = awaitTicket(id);
        assertThat(ticket).containsEntry("appYn", "RegRequested").containsEntry("publId", (int) PUBL_ID);
        awaitView(id, "RegRequested");
        assertThat(get(PUBLISHER, REGREQUEST, "/regRequests/" + id).<String>path("regYn")).isEqualTo("RegRequested");
        assertThat(get(PUBLISHER, REGREQUEST, "/regRequests/" + id).<Integer>path("publId")).isEqualTo((int) PUBL_ID);
    }

    @Test
    @Order(2)
    void approvingAndRejectingReachTheRequestAndTheView() {
        long approved = file(PUBLISHER, PUBL_ID, 10, "approved book");
        long rejected = file(PUBLISHER, PUBL_ID, 11, "rejected book");
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
        long id = file(PUBLISHER, PUBL_ID, 12, "cancelled book");
        Map<String, Object> ticket = awaitTicket(id);
        as(PUBLISHER).delete(url(REGREQUEST) + "/regRequests/" + id).then().statusCode(200);
        assertThat(get(PUBLISHER, REGREQUEST, "/regRequests/" + id).<String>path("regYn")).isEqualTo("ReqCanceled");
        await().atMost(EVENTUALLY).until(() -> "AppCanceled".equals(get(REVIEWER, APPROVAL, "/approves/" + ticket.get("id")).path("appYn")));
        awaitView(id, "ReqCanceled");
    }

    @Test
    @Order(4)
    void withApprovalDownFilingFailsFastAndStoresNothing() {
        // The publisher has filed before: "nothing stored" is its request count not growing (the view caught up first).
        long requestsBefore = awaitViewHoldsEveryRequest(PUBLISHER, PUBL_ID);
        system.stopService(APPROVAL);
        try {
            long begin = System.nanoTime();
            Response refused = as(PUBLISHER).contentType(ContentType.JSON)
                    .body(Map.of("bookId", 13, "bookNm", "while approval is down", "publId", PUBL_ID))
                    .post(url(REGREQUEST) + "/regRequests");
            long millis = Duration.ofNanos(System.nanoTime() - begin).toMillis();
            System.out.printf("E2E: POST with approval-service down answered %d in %d ms%n", refused.statusCode(), millis);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isNotBlank();
            assertThat(refused.contentType()).startsWith("application/problem+json");
        } finally {
            system.startService(APPROVAL);
        }
        assertThat(total(PUBLISHER, REGREQUEST, "/regRequests?publId=" + PUBL_ID)).as("no request stored").isEqualTo(requestsBefore);
        long id = file(PUBLISHER, PUBL_ID, 13, "after approval is back");
        awaitView(id, "RegRequested");
        assertThat(total(PUBLISHER, PUBLISHER_VIEW, "/publpages?publId=" + PUBL_ID)).as("only the accepted request is in the view")
                .isEqualTo(requestsBefore + 1);
    }

    @Test
    @Order(5)
    void cancellingWhileApprovalIsDownCatchesUpAfterItsRestart() {
        long id = file(PUBLISHER, PUBL_ID, 14, "cancelled while approval is down");
        Map<String, Object> ticket = awaitTicket(id);
        system.stopService(APPROVAL);
        try {
            as(PUBLISHER).delete(url(REGREQUEST) + "/regRequests/" + id).then().statusCode(200);
        } finally {
            system.startService(APPROVAL);
        }
        long begin = System.nanoTime();
        await().atMost(EVENTUALLY).until(() -> "AppCanceled".equals(get(REVIEWER, APPROVAL, "/approves/" + ticket.get("id")).path("appYn")));
        System.out.printf("E2E: approval-service caught up with the cancellation %d ms after its restart%n",
                Duration.ofNanos(System.nanoTime() - begin).toMillis());
    }

    @Test
    @Order(6)
    void aHangingApprovalOpensTheBreakerAndRequestsAreRejectedFast() throws Exception {
        long requestsBefore = total(PUBLISHER, REGREQUEST, "/regRequests?publId=" + PUBL_ID);
        long approvalPid = system.service(APPROVAL).pid();
        signal("STOP", approvalPid); // approval-service hangs: connections open, no answers
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        try {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                answers.add(pool.submit(() -> {
                    long begin = System.nanoTime();
                    int status = as(PUBLISHER).contentType(ContentType.JSON)
                            .body(Map.of("bookId", 15, "bookNm", "while approval hangs", "publId", PUBL_ID))
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
                Response refused = as(PUBLISHER).contentType(ContentType.JSON)
                        .body(Map.of("bookId", 16, "bookNm", "breaker open", "publId", PUBL_ID))
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
        await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(500)).until(() -> as(PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("bookId", 17, "bookNm", "after recovery", "publId", PUBL_ID))
                .post(url(REGREQUEST) + "/regRequests").statusCode() == 201);
        assertThat(total(PUBLISHER, REGREQUEST, "/regRequests?publId=" + PUBL_ID))
                .as("only the request filed after recovery was stored").isEqualTo(requestsBefore + 1);
    }

    @Test
    @Order(7)
    void commitToViewLatencyOver200Requests() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Long>> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int book = i;
            ids.add(pool.submit(() -> file(PUBLISHER, PUBL_ID, 1000 + book, "latency book " + book)));
        }
        List<Long> requestIds = new ArrayList<>();
        for (Future<Long> id : ids) {
            requestIds.add(id.get());
        }
        pool.shutdown();
        // The publisher has other requests: wait for exactly these 200 (each asked for until the view has it).
        Set<Long> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();
        pending.addAll(requestIds);
        await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(500)).until(() -> {
            pending.removeIf(id -> as(PUBLISHER).get(url(PUBLISHER_VIEW) + "/publpages/" + id).statusCode() == 200);
            return pending.isEmpty();
        });
        List<Long> lags = new ArrayList<>();
        for (long id : requestIds) {
            Response view = get(PUBLISHER, PUBLISHER_VIEW, "/publpages/" + id);
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

    /**
     * Identity end to end: each publisher sees and changes only what is its own (another's request is answered as if
     * it did not exist), reviewers see everyone's, publishers cannot decide reviews, only admin rebuilds the view, and
     * nothing at all works without a token.
     */
    @Test
    @Order(8)
    void eachPublisherSeesAndChangesOnlyItsOwnAndOnlyReviewersDecide() {
        long mine = file(PUBLISHER, PUBL_ID, 20, "publisher100's book");
        long theirs = file(OTHER_PUBLISHER, OTHER_PUBL_ID, 21, "publisher200's book");
        Map<String, Object> myTicket = awaitTicket(mine);
        awaitView(mine, "RegRequested");
        awaitView(theirs, "RegRequested");

        // publisher200 cannot read nor cancel publisher100's request, nor see its row in the view: 404, as for an unknown id.
        expectProblem(as(OTHER_PUBLISHER).get(url(REGREQUEST) + "/regRequests/" + mine), 404);
        expectProblem(as(OTHER_PUBLISHER).delete(url(REGREQUEST) + "/regRequests/" + mine), 404);
        expectProblem(as(OTHER_PUBLISHER).get(url(PUBLISHER_VIEW) + "/publpages/" + mine), 404);
        assertThat(as(OTHER_PUBLISHER).get(url(PUBLISHER_VIEW) + "/publpages/search/findByReqId?reqId=" + mine)
                .then().statusCode(200).extract().<List<?>>path("$")).as("publisher200 finds nothing by publisher100's reqId").isEmpty();
        // Asking for another publisher's list is refused outright; its own lists hold only its own requests.
        expectProblem(as(OTHER_PUBLISHER).get(url(REGREQUEST) + "/regRequests?publId=" + PUBL_ID), 403);
        expectProblem(as(OTHER_PUBLISHER).get(url(PUBLISHER_VIEW) + "/publpages?publId=" + PUBL_ID), 403);
        assertThat(publIds(as(OTHER_PUBLISHER).get(url(REGREQUEST) + "/regRequests?size=100")))
                .as("publisher200's list of requests").containsOnly(OTHER_PUBL_ID);
        assertThat(publIds(as(OTHER_PUBLISHER).get(url(PUBLISHER_VIEW) + "/publpages?size=100")))
                .as("publisher200's view").containsOnly(OTHER_PUBL_ID);
        // Nor can it file in publisher100's name.
        expectProblem(as(OTHER_PUBLISHER).contentType(ContentType.JSON)
                .body(Map.of("bookId", 22, "bookNm", "in another's name", "publId", PUBL_ID)).post(url(REGREQUEST) + "/regRequests"), 403);
        assertThat(get(PUBLISHER, REGREQUEST, "/regRequests/" + mine).<String>path("regYn")).as("not cancelled by publisher200")
                .isEqualTo("RegRequested");

        // The reviewer sees both publishers' requests and rows.
        for (long id : List.of(mine, theirs)) {
            assertThat(get(REVIEWER, REGREQUEST, "/regRequests/" + id).<String>path("regYn")).isEqualTo("RegRequested");
            assertThat(get(REVIEWER, PUBLISHER_VIEW, "/publpages/" + id).<String>path("status")).isEqualTo("RegRequested");
        }
        assertThat(publIds(as(REVIEWER).get(url(PUBLISHER_VIEW) + "/publpages?size=100"))).contains(PUBL_ID, OTHER_PUBL_ID);

        // Publishers neither read the review queue nor decide; reviewers do not file or cancel.
        expectProblem(as(PUBLISHER).get(url(APPROVAL) + "/approves"), 403);
        expectProblem(as(PUBLISHER).contentType(ContentType.JSON).body(Map.of("appYn", "Approved"))
                .patch(url(APPROVAL) + "/approves/" + myTicket.get("id")), 403);
        expectProblem(as(REVIEWER).contentType(ContentType.JSON)
                .body(Map.of("bookId", 23, "bookNm", "by a reviewer", "publId", PUBL_ID)).post(url(REGREQUEST) + "/regRequests"), 403);
        expectProblem(as(REVIEWER).delete(url(REGREQUEST) + "/regRequests/" + mine), 403);
        assertThat(get(REVIEWER, APPROVAL, "/approves/" + myTicket.get("id")).<String>path("appYn")).as("not decided by the publisher")
                .isEqualTo("RegRequested");
        decide(myTicket, "Approved");
        awaitView(mine, "Approved");

        // Nothing without a token: 401 with the Bearer challenge.
        for (String url : List.of(url(REGREQUEST) + "/regRequests/" + mine, url(APPROVAL) + "/approves",
                url(PUBLISHER_VIEW) + "/publpages/" + mine)) {
            Response anonymous = given().get(url);
            expectProblem(anonymous, 401);
            assertThat(anonymous.header("WWW-Authenticate")).as("challenge of %s", url).startsWith("Bearer");
        }

        // Only admin rebuilds the view; the rebuilt view still holds both publishers' rows.
        for (String user : List.of(PUBLISHER, REVIEWER)) {
            expectProblem(as(user).post(url(PUBLISHER_VIEW) + "/publpages/admin/rebuild"), 403);
        }
        long begin = System.nanoTime();
        as(ADMIN).post(url(PUBLISHER_VIEW) + "/publpages/admin/rebuild").then().statusCode(200);
        System.out.printf("E2E: view rebuilt by admin in %d ms%n", Duration.ofNanos(System.nanoTime() - begin).toMillis());
        awaitView(mine, "Approved");
        awaitView(theirs, "RegRequested");
    }

    @Test
    @Order(9)
    void afterAWholeRestartEverythingIsStillThereAndNewRequestsFlow() {
        long before = file(PUBLISHER, PUBL_ID, 18, "before the restart");
        Map<String, Object> ticket = awaitTicket(before);
        decide(ticket, "Approved");
        awaitView(before, "Approved");
        // Issued before the restart (fresh, not the cache's: it must outlive the restart): Keycloak keeps its signing
        // keys in its database and comes back on the same port, so the token stays good.
        String issuedBefore = system.tokens().newToken(Realm.CLI_CLIENT, PUBLISHER);
        long begin = System.nanoTime();
        // Same data directory; infrastructure ports may differ, services find them through their configuration.
        system = WholeSystem.restart();
        System.out.printf("E2E: whole system restarted on its data in %d ms%n", Duration.ofNanos(System.nanoTime() - begin).toMillis());
        assertThat(given().header("Authorization", "Bearer " + issuedBefore).get(url(REGREQUEST) + "/regRequests/" + before)
                .then().statusCode(200).extract().<String>path("regYn")).as("with a token issued before the restart").isEqualTo("Approved");
        assertThat(get(REVIEWER, APPROVAL, "/approves/" + ticket.get("id")).<String>path("appYn")).isEqualTo("Approved");
        assertThat(get(PUBLISHER, PUBLISHER_VIEW, "/publpages/" + before).<String>path("status")).isEqualTo("Approved");
        long after = file(PUBLISHER, PUBL_ID, 19, "after the restart");
        decide(awaitTicket(after), "Rejected");
        awaitView(after, "Rejected");
    }

    // ---- helpers: the publisher's, the reviewer's and the view's HTTP calls, each with its caller's token ----

    /** A request made by one of the realm's users (its access token, cached and renewed by the stack's token client). */
    private static RequestSpecification as(String user) {
        return given().header("Authorization", "Bearer " + system.tokens().token(user));
    }

    private static long file(String publisher, long publId, long bookId, String bookNm) {
        return as(publisher).contentType(ContentType.JSON).body(Map.of("bookId", bookId, "bookNm", bookNm, "publId", publId))
                .post(url(REGREQUEST) + "/regRequests").then().statusCode(201).extract().<Number>path("id").longValue();
    }

    /** The ticket of a request, once the reviewers' queue offers it (confirmed by the RegRequested event). */
    private static Map<String, Object> awaitTicket(long reqId) {
        return await().atMost(EVENTUALLY).until(() -> {
            List<Map<String, Object>> tickets = as(REVIEWER).get(url(APPROVAL) + "/approves?reqReqId=" + reqId)
                    .then().statusCode(200).extract().path("$");
            return tickets.isEmpty() ? null : tickets.getFirst();
        }, t -> t != null);
    }

    private static void decide(Map<String, Object> ticket, String appYn) {
        as(REVIEWER).contentType(ContentType.JSON).body(Map.of("appYn", appYn))
                .patch(url(APPROVAL) + "/approves/" + ticket.get("id")).then().statusCode(200);
    }

    private static void awaitRequest(long id, String regYn) {
        await().atMost(EVENTUALLY).until(() -> regYn.equals(get(PUBLISHER, REGREQUEST, "/regRequests/" + id).path("regYn")));
    }

    /** As the reviewer, who sees every publisher's rows. */
    private static void awaitView(long reqId, String status) {
        await().atMost(EVENTUALLY).until(() -> {
            Response view = as(REVIEWER).get(url(PUBLISHER_VIEW) + "/publpages/" + reqId);
            return view.statusCode() == 200 && status.equals(view.path("status"));
        });
    }

    /** Waits until publisher-view has a row for each of the publisher's requests; returns how many there are. */
    private static long awaitViewHoldsEveryRequest(String publisher, long publId) {
        return await().atMost(EVENTUALLY).until(() -> {
            long requests = total(publisher, REGREQUEST, "/regRequests?publId=" + publId);
            return total(publisher, PUBLISHER_VIEW, "/publpages?publId=" + publId) == requests ? requests : null;
        }, n -> n != null);
    }

    /** The X-Total-Count of a list. */
    private static long total(String user, String service, String path) {
        return Long.parseLong(get(user, service, path).header("X-Total-Count"));
    }

    private static Set<Long> publIds(Response list) {
        List<Number> ids = list.then().statusCode(200).extract().path("publId");
        Set<Long> set = new HashSet<>();
        ids.forEach(id -> set.add(id.longValue()));
        return set;
    }

    private static void expectProblem(Response response, int status) {
        assertThat(response.statusCode()).as("status; body %s", response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.<Integer>path("status")).isEqualTo(status);
    }

    private static Response get(String user, String service, String path) {
        Response response = as(user).get(url(service) + path);
        assertThat(response.statusCode()).as("GET %s%s as %s", service, path, user).isEqualTo(200);
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
