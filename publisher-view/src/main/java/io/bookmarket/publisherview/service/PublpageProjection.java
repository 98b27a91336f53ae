package io.bookmarket.publisherview.service;

import io.bookmarket.publisherview.domain.AppYn;
import io.bookmarket.publisherview.domain.Publpage;
import io.bookmarket.publisherview.domain.RegYn;
import io.bookmarket.support.messaging.EventHandlers;
import io.bookmarket.support.messaging.IncomingEvent;
import io.bookmarket.support.messaging.PoisonEventException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Predicate;

/**
 * Applies RegRequest and Approve events to the publishers' view in any order (monotonic merge in {@link Publpage}).
 * Each is applied once: the consumers and the rebuild hand events over through the processed-event log
 * ({@link io.bookmarket.support.messaging.EventConsumption#applyOnce}).
 */
@ApplicationScoped
public class PublpageProjection {

    private static final Logger LOG = Logger.getLogger(PublpageProjection.class);

    public enum Outcome {
        /** The view changed. */
        APPLIED,
        /** The view already reflected it (a later-ranked event of the request came first). */
        ALREADY_REFLECTED
    }

    /** regrequest-service's events (topic outbox.event.RegRequest). */
    private final EventHandlers requestEvents = EventHandlers.on("RegRequested", this::handle).and("ReqCanceled", this::handle);

    /** approval-service's events (topic outbox.event.Approve). */
    private final EventHandlers reviewEvents = EventHandlers.on("Approved", this::handle).and("Rejected", this::handle)
            .and("AppCanceled", this::handle);

    @Inject
    EntityManager em;

    @Inject
    MeterRegistry registry;

    @Inject
    TransactionSynchronizationRegistry transactions;

    public EventHandlers requestEvents() {
        return requestEvents;
    }

    public EventHandlers reviewEvents() {
        return reviewEvents;
    }

    /** @throws PoisonEventException when the event lacks what the view needs (it belongs on the dead-letter topic) */
    @Transactional
    public Outcome handle(IncomingEvent event) {
        // Read every field before touching the view: a malformed event changes nothing.
        Change change = requestEvents.types().contains(event.eventType()) ? requestChange(event)
                : reviewEvents.types().contains(event.eventType()) ? reviewChange(event)
                : null;
        if (change == null) {
            throw new PoisonEventException("Event " + event.eventId() + " has a type the view does not know: " + event.eventType());
        }
        Instant occurredAt = event.occurredAt();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Publpage first = Publpage.firstSeen(change.reqId(), now, occurredAt);
        change.merge().test(first);
        LockedRow row = insertOrLock(first);
        Publpage page = row.page();
        boolean created = row.created();
        // A created row already holds the merge (applied before the insert): merging again would change nothing.
        boolean merged = created || change.merge().test(page);
        boolean changed = merged;
        if (occurredAt.isAfter(page.lastEventAt)) {
            page.lastEventAt = occurredAt;
            changed = true;
        }
        if (changed && !created) {
            page.updatedAt = now;
        }
        if (merged) {
            LOG.infof("Request %d %s: the publisher sees %s", page.reqId, change.description(), page.status);
        } else {
            LOG.infof("Request %d %s, a step the view already reflected (events arrived out of order); the publisher still sees %s",
                    page.reqId, change.description(), page.status);
        }
        recordLagAfterCommit(event.eventType(), occurredAt);
        return merged ? Outcome.APPLIED : Outcome.ALREADY_REFLECTED;
    }

    private Change requestChange(IncomingEvent event) {
        long reqId = event.requiredId("id");
        long publId = event.requiredId("publId");
        long bookId = event.requiredId("bookId");
        String bookNm = event.text("bookNm");
        if (bookNm == null || bookNm.isBlank()) {
            throw new PoisonEventException(event.eventType() + " " + event.eventId() + " has no bookNm");
        }
        RegYn regYn = RegYn.valueOf(event.eventType());
        String description = regYn == RegYn.RegRequested
                ? "filed by publisher " + publId + " for book \"" + bookNm + "\" (" + bookId + ")"
                : "cancelled by publisher " + publId;
        return new Change(reqId, description, page -> page.mergeRequest(regYn, publId, bookId, bookNm));
    }

    private Change reviewChange(IncomingEvent event) {
        long reqId = event.requiredId("reqReqId");
        long approveId = event.requiredId("id");
        long publId = event.requiredId("publId");
        AppYn appYn = AppYn.valueOf(event.eventType());
        String description = switch (appYn) {
            case Approved -> "approved by review " + approveId;
            case Rejected -> "rejected by review " + approveId;
            default -> "had its review " + approveId + " cancelled";
        };
        return new Change(reqId, description, page -> page.mergeReview(appYn, approveId, publId));
    }

    /**
     * The request's row, locked, in one statement, and whether this statement created it. The first event of a request,
     * whichever it is, inserts the row as that event alone makes it, so it needs no UPDATE afterwards. Two first
     * events arriving together (one per topic) both try to insert; ON CONFLICT makes the second wait for the first,
     * and its no-op update takes the row lock that serialises their merges (as SELECT ... FOR UPDATE would, one
     * statement later). {@code xmax = 0} holds only for a row version this statement inserted, not for one it locked
     * (ProjectionOrderTest checks both).
     */
    private LockedRow insertOrLock(Publpage first) {
        Object[] row = (Object[]) em.createNativeQuery("""
                INSERT INTO publpage (req_id, publ_id, book_id, book_nm, reg_yn, app_yn, status, approve_id,
                                      created_at, updated_at, last_event_at)
                VALUES (:reqId, :publId, :bookId, :bookNm, :regYn, :appYn, :status, :approveId,
                        :createdAt, :updatedAt, :lastEventAt)
                ON CONFLICT (req_id) DO UPDATE SET req_id = EXCLUDED.req_id
                RETURNING *, xmax = 0 AS created""", Publpage.LOCKED_OR_CREATED)
                .setParameter("reqId", first.reqId)
                .setParameter("publId", first.publId)
                .setParameter("bookId", first.bookId)
                .setParameter("bookNm", first.bookNm)
                .setParameter("regYn", first.regYn == null ? null : first.regYn.name())
                .setParameter("appYn", first.appYn == null ? null : first.appYn.name())
                .setParameter("status", first.status.name())
                .setParameter("approveId", first.approveId)
                .setParameter("createdAt", first.createdAt)
                .setParameter("updatedAt", first.updatedAt)
                .setParameter("lastEventAt", first.lastEventAt)
                .getSingleResult();
        return new LockedRow((Publpage) row[0], (Boolean) row[1]);
    }

    /** Lag from the source's commit to the moment the view's change is visible, i.e. after our commit. */
    private void recordLagAfterCommit(String eventType, Instant occurredAt) {
        Timer timer = Timer.builder("publpage.event.lag")
                .description("Time from an event's occurredAt to the moment publisher-view applied it")
                .tag("eventType", eventType)
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(registry);
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    Duration lag = Duration.between(occurredAt, Instant.now());
                    timer.record(lag.isNegative() ? Duration.ZERO : lag);
                }
            }
        });
    }

    private record LockedRow(Publpage page, boolean created) {
    }

    private record Change(long reqId, String description, Predicate<Publpage> merge) {
    }
}
