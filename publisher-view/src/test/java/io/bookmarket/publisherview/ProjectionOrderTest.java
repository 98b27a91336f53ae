package io.bookmarket.publisherview;

import io.bookmarket.publisherview.Events.Event;
import io.bookmarket.publisherview.domain.Publpage;
import io.bookmarket.publisherview.service.PublpageProjection;
import io.bookmarket.publisherview.service.PublpageProjection.Outcome;
import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.messaging.EventConsumption;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.SessionFactory;
import org.hibernate.stat.EntityStatistics;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Order independence at the projection: the service bean called directly, each event in its own transaction, on
 * real PostgreSQL. Every permutation of each full sequence, each on its own request id, must end in the same row.
 * Also how many statements an event costs the view's table.
 */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "publisherview"))
@QuarkusTestResource(OidcServer.class)
class ProjectionOrderTest {

    /** Request ids of this class: far from the ones produced through Kafka (those stay below 1,000,000). */
    private static final AtomicLong REQ_IDS = new AtomicLong(1_000_000);
    private static final long PUBL_ID = 500;
    private static final long BOOK_ID = 42;
    private static final long APPROVE_ID = 7000;

    @Inject
    PublpageProjection projection;

    @Inject
    EventConsumption consumption;

    @Inject
    EntityManagerFactory entityManagerFactory;

    @Test
    void everyOrderOfFiledApprovedCancelledReviewCancelledEndsInTheSameRow() {
        List<Object> row = allOrdersAgree(reqId -> List.of(
                filed(reqId, 1), review("Approved", reqId, 2), cancelled(reqId, 3), review("AppCanceled", reqId, 4)), 24);
        assertThat(row).containsExactly(PUBL_ID, BOOK_ID, "Book", "ReqCanceled", "AppCanceled", "ReqCanceled", APPROVE_ID,
                Timestamp.from(Events.T0.plusSeconds(4)));
    }

    @Test
    void everyOrderOfFiledRejectedEndsInTheSameRow() {
        List<Object> row = allOrdersAgree(reqId -> List.of(filed(reqId, 1), review("Rejected", reqId, 2)), 2);
        assertThat(row).containsExactly(PUBL_ID, BOOK_ID, "Book", "RegRequested", "Rejected", "Rejected", APPROVE_ID,
                Timestamp.from(Events.T0.plusSeconds(2)));
    }

    /** A rejection that crossed the publisher's cancel: approval-service answers the ReqCanceled with AppCanceled. */
    @Test
    void everyOrderOfFiledRejectedCancelledReviewCancelledEndsInTheSameRow() {
        List<Object> row = allOrdersAgree(reqId -> List.of(
                filed(reqId, 1), review("Rejected", reqId, 2), cancelled(reqId, 3), review("AppCanceled", reqId, 4)), 24);
        assertThat(row).containsExactly(PUBL_ID, BOOK_ID, "Book", "ReqCanceled", "AppCanceled", "ReqCanceled", APPROVE_ID,
                Timestamp.from(Events.T0.plusSeconds(4)));
    }

    @Test
    void everyOrderOfFiledCancelledReviewCancelledEndsInTheSameRow() {
        List<Object> row = allOrdersAgree(reqId -> List.of(
                filed(reqId, 1), cancelled(reqId, 2), review("AppCanceled", reqId, 3)), 6);
        assertThat(row).containsExactly(PUBL_ID, BOOK_ID, "Book", "ReqCanceled", "AppCanceled", "ReqCanceled", APPROVE_ID,
                Timestamp.from(Events.T0.plusSeconds(3)));
    }

    @Test
    void aRequestOnlyFiledAwaitsReviewAndAReviewAloneAlreadyShows() {
        long filedOnly = REQ_IDS.incrementAndGet();
        projection.handle(filed(filedOnly, 1).incoming());
        assertThat(Events.row(filedOnly)).containsExactly(PUBL_ID, BOOK_ID, "Book", "RegRequested", "RegRequested",
                "RegRequested", null, Timestamp.from(Events.T0.plusSeconds(1)));

        // The original dropped an Approved that came before RegRequested; here it creates the row.
        long approvedFirst = REQ_IDS.incrementAndGet();
        assertThat(projection.handle(review("Approved", approvedFirst, 2).incoming())).isEqualTo(Outcome.APPLIED);
        assertThat(Events.row(approvedFirst)).containsExactly(PUBL_ID, null, null, null, "Approved", "Approved",
                APPROVE_ID, Timestamp.from(Events.T0.plusSeconds(2)));
    }

    /**
     * A request's first event inserts its row as that event makes it, with no UPDATE after the insert (there was one of
     * every column); a later event that changes the row updates it once, one that changes nothing not at all. Counted by
     * Hibernate's statistics, switched on for this test only.
     */
    @Test
    void aRequestsFirstEventIsAnInsertWithoutAnUpdate() {
        long reqId = REQ_IDS.incrementAndGet();
        Statistics statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
        statistics.setStatisticsEnabled(true);
        try {
            assertThat(updatesOfPublpage(statistics, filed(reqId, 1))).as("UPDATEs after the first event").isZero();
            assertThat(Events.row(reqId)).containsExactly(PUBL_ID, BOOK_ID, "Book", "RegRequested", "RegRequested",
                    "RegRequested", null, Timestamp.from(Events.T0.plusSeconds(1)));

            assertThat(updatesOfPublpage(statistics, review("Approved", reqId, 2))).as("UPDATEs after a later event").isOne();
            assertThat(Events.row(reqId)).containsExactly(PUBL_ID, BOOK_ID, "Book", "RegRequested", "Approved", "Approved",
                    APPROVE_ID, Timestamp.from(Events.T0.plusSeconds(2)));

            Object updatedAt = Events.updatedAt(reqId);
            long before = statistics.getEntityStatistics(Publpage.class.getName()).getUpdateCount();
            assertThat(projection.handle(filed(reqId, 1).incoming())).isEqualTo(Outcome.ALREADY_REFLECTED);
            assertThat(statistics.getEntityStatistics(Publpage.class.getName()).getUpdateCount()).isEqualTo(before);
            assertThat(Events.updatedAt(reqId)).isEqualTo(updatedAt);
        } finally {
            statistics.setStatisticsEnabled(false);
        }
    }

    private long updatesOfPublpage(Statistics statistics, Event event) {
        EntityStatistics publpage = statistics.getEntityStatistics(Publpage.class.getName());
        long before = publpage.getUpdateCount();
        assertThat(projection.handle(event.incoming())).isEqualTo(Outcome.APPLIED);
        return publpage.getUpdateCount() - before;
    }

    /** Through the consumers' own path: the processed-event log, then the projection. */
    @Test
    void aDuplicateHasNoEffectEvenWithOtherContent() {
        long reqId = REQ_IDS.incrementAndGet();
        Event approved = review("Approved", reqId, 2);
        assertThat(consumption.applyOnce(filed(reqId, 1).incoming(), projection.requestEvents())).isTrue();
        assertThat(consumption.applyOnce(approved.incoming(), projection.reviewEvents())).isTrue();
        List<Object> before = Events.row(reqId);
        Object updatedAt = Events.updatedAt(reqId);

        assertThat(consumption.applyOnce(approved.incoming(), projection.reviewEvents())).isFalse();
        // Same event id, different content: still the event already applied.
        assertThat(consumption.applyOnce(approved.withType("AppCanceled").incoming(), projection.reviewEvents())).isFalse();

        assertThat(Events.row(reqId)).isEqualTo(before);
        assertThat(Events.updatedAt(reqId)).isEqualTo(updatedAt);
        assertThat(Events.count("SELECT count(*) FROM processed_event WHERE event_id = ?", approved.eventId())).isOne();
    }

    @Test
    void concurrentFirstEventsFromBothTopicsDoNotFail() throws Exception {
        int requests = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Outcome>> results = new ArrayList<>();
            List<Long> reqIds = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                long reqId = REQ_IDS.incrementAndGet();
                reqIds.add(reqId);
                // Both first events of one request start together, as the two consumers would.
                CyclicBarrier together = new CyclicBarrier(2);
                for (Event e : List.of(filed(reqId, 1), review("Approved", reqId, 2))) {
                    results.add(pool.submit(() -> {
                        together.await();
                        return projection.handle(e.incoming());
                    }));
                }
            }
            for (Future<Outcome> result : results) {
                assertThat(result.get()).isEqualTo(Outcome.APPLIED);
            }
            for (long reqId : reqIds) {
                assertThat(Events.row(reqId)).containsExactly(PUBL_ID, BOOK_ID, "Book", "RegRequested", "Approved",
                        "Approved", APPROVE_ID, Timestamp.from(Events.T0.plusSeconds(2)));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Applies every permutation of the sequence to a fresh request id and returns the one row they all ended in
     * (business columns, without the request id).
     */
    private List<Object> allOrdersAgree(LongFunction<List<Event>> sequence, int expectedOrders) {
        Map<String, List<Object>> rowByOrder = new LinkedHashMap<>();
        int length = sequence.apply(REQ_IDS.get()).size();
        for (int[] order : permutations(length)) {
            long reqId = REQ_IDS.incrementAndGet();
            List<Event> events = sequence.apply(reqId);
            List<String> applied = new ArrayList<>();
            for (int i : order) {
                projection.handle(events.get(i).incoming());
                applied.add(events.get(i).type());
            }
            rowByOrder.put(String.join(" > ", applied), Events.row(reqId));
        }
        assertThat(rowByOrder).hasSize(expectedOrders);
        List<Object> first = rowByOrder.values().iterator().next();
        assertThat(rowByOrder).allSatisfy((order, row) -> assertThat(row).as("row after " + order).isEqualTo(first));
        System.out.printf("%d orders of %s all ended in %s%n", rowByOrder.size(), rowByOrder.keySet().iterator().next(), first);
        return first;
    }

    private static List<int[]> permutations(int n) {
        List<int[]> result = new ArrayList<>();
        permute(new int[0], n, result);
        return result;
    }

    private static void permute(int[] prefix, int n, List<int[]> out) {
        if (prefix.length == n) {
            out.add(prefix);
            return;
        }
        for (int i = 0; i < n; i++) {
            final int candidate = i;
            if (Arrays.stream(prefix).noneMatch(p -> p == candidate)) {
                int[] next = Arrays.copyOf(prefix, prefix.length + 1);
                next[prefix.length] = i;
                permute(next, n, out);
            }
        }
    }

    private static Event filed(long reqId, int second) {
        return Events.request("RegRequested", reqId, PUBL_ID, BOOK_ID, "Book", Events.T0.plusSeconds(second));
    }

    private static Event cancelled(long reqId, int second) {
        return Events.request("ReqCanceled", reqId, PUBL_ID, BOOK_ID, "Book", Events.T0.plusSeconds(second));
    }

    private static Event review(String type, long reqId, int second) {
        return Events.review(type, APPROVE_ID, reqId, PUBL_ID, Events.T0.plusSeconds(second));
    }
}
