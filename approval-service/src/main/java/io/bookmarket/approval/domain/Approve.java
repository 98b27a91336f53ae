package io.bookmarket.approval.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The product team's review ticket of one registration request ({@code reqReqId}). */
@Entity
@Table(name = "approve")
public class Approve extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "req_req_id", nullable = false, unique = true)
    public long reqReqId;

    @Column(name = "publ_id", nullable = false)
    public long publId;

    @Enumerated(EnumType.STRING)
    @Column(name = "app_yn", nullable = false, length = 16)
    public AppYn appYn;

    /** True once the request's RegRequested event arrived: the request really exists and may be reviewed. */
    @Column(nullable = false)
    public boolean confirmed;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** The book under review (from the request's RegRequested event); null until the ticket is confirmed. */
    @Column(name = "book_id")
    public Long bookId;

    @Column(name = "book_nm", length = 200)
    public String bookNm;

    /** When the last decision (Approved, Rejected, AppCanceled) was taken; null while pending. */
    @Column(name = "decided_at")
    public Instant decidedAt;

    @Version
    public long version;

    /**
     * Opens a pending ticket unless the request already has one: one statement, INSERT IGNORE ... RETURNING id
     * (MariaDB returns no row when the unique key ignored it), so concurrent duplicates (regrequest-service retrying)
     * never create two rows nor fail, and the usual case (a new request) needs no second statement to read the new
     * ticket back. IGNORE would also skip a row breaking a CHECK constraint: the REST layer validates ids first.
     *
     * @return the new ticket's id, or empty when the request already had a ticket (nothing changed)
     */
    public static Optional<Long> openIfAbsent(long reqReqId, long publId, boolean confirmed, Instant now) {
        List<?> created = getEntityManager().createNativeQuery("""
                        INSERT IGNORE INTO approve (req_req_id, publ_id, app_yn, confirmed, created_at, version)
                        VALUES (:reqReqId, :publId, 'RegRequested', :confirmed, :now, 0)
                        RETURNING id""")
                .setParameter("reqReqId", reqReqId)
                .setParameter("publId", publId)
                .setParameter("confirmed", confirmed)
                .setParameter("now", now)
                .getResultList();
        return created.isEmpty() ? Optional.empty() : Optional.of(((Number) created.getFirst()).longValue());
    }

    /**
     * Confirms the request's unconfirmed ticket in one statement, without loading it (the usual RegRequested). The
     * version moves on, so a copy of the ticket loaded before fails its version check instead of undoing this.
     *
     * @return false when the request has no unconfirmed ticket (none, or already confirmed): nothing changed
     */
    public static boolean confirmIfUnconfirmed(long reqReqId, long bookId, String bookNm) {
        return getEntityManager().createNativeQuery("""
                        UPDATE approve SET confirmed = TRUE, book_id = :bookId, book_nm = :bookNm, version = version + 1
                        WHERE req_req_id = :reqReqId AND confirmed = FALSE""")
                .setParameter("bookId", bookId)
                .setParameter("bookNm", bookNm)
                .setParameter("reqReqId", reqReqId)
                .executeUpdate() == 1;
    }

    /**
     * A query, not {@code EntityManager.find}: when the pooled connection is dead (MariaDB restarted) it fails to join
     * the transaction, which is then rollback-only, and Hibernate's find() answers null instead of failing (HHH-12472),
     * so a database outage would read as "no such review" (404). A query fails (503). This is what lets the pool skip
     * its validation ping for connections used within the last second (application.properties).
     */
    public static Optional<Approve> byId(long id) {
        return find("id", id).firstResultOptional();
    }

    public static Optional<Approve> findByReqReqId(long reqReqId) {
        return find("reqReqId", reqReqId).firstResultOptional();
    }

    /** For event handling: the row lock serialises it with reviewers' PATCHes (they then fail their version check). */
    public static Optional<Approve> lockByReqReqId(long reqReqId) {
        return find("reqReqId", reqReqId).withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    /** A filtered page of tickets, newest first; null filters do not filter. */
    public static List<Approve> page(Filter filter, int page, int size) {
        Query q = filter.query();
        return find(q.text, Sort.descending("createdAt", "id"), q.params).page(Page.of(page, size)).list();
    }

    /** Confirmed tickets that were decided (approved, rejected or cancelled), most recently decided first. */
    public static List<Approve> decided(int page, int size) {
        return find("confirmed = true and appYn <> ?1", Sort.descending("decidedAt", "id"), AppYn.RegRequested)
                .page(Page.of(page, size)).list();
    }

    public static long countDecided() {
        return count("confirmed = true and appYn <> ?1", AppYn.RegRequested);
    }

    public static long count(Filter filter) {
        Query q = filter.query();
        return count(q.text, q.params);
    }

    /** A reviewer's decision: moves to {@code next} when the state machine allows it ({@link AppYn#canBecome}). */
    public AppYn.Move decide(AppYn next) {
        if (appYn == next) {
            return AppYn.Move.ALREADY;
        }
        if (!appYn.canBecome(next)) {
            return AppYn.Move.REFUSED;
        }
        appYn = next;
        decidedAt = now();
        return AppYn.Move.MOVED;
    }

    /**
     * The publisher cancelled the request (ReqCanceled): the ticket becomes AppCanceled from any other status, a
     * rejection included (the publisher's cancel wins, see {@link AppYn}). Reviewers cannot do this ({@link #decide}).
     *
     * @return false when the ticket already is AppCanceled (nothing changes)
     */
    public boolean cancelWithRequest() {
        if (!appYn.yieldsToRequestCancel()) {
            return false;
        }
        appYn = AppYn.AppCanceled;
        decidedAt = now();
        return true;
    }

    /** The queue's filters. */
    public record Filter(AppYn appYn, Long publId, Long reqReqId, Boolean confirmed) {

        Query query() {
            List<String> where = new ArrayList<>();
            Parameters params = new Parameters();
            if (appYn != null) {
                where.add("appYn = :appYn");
                params.and("appYn", appYn);
            }
            if (publId != null) {
                where.add("publId = :publId");
                params.and("publId", publId);
            }
            if (reqReqId != null) {
                where.add("reqReqId = :reqReqId");
                params.and("reqReqId", reqReqId);
            }
            if (confirmed != null) {
                where.add("confirmed = :confirmed");
                params.and("confirmed", confirmed);
            }
            return new Query(where.isEmpty() ? "1 = 1" : String.join(" and ", where), params);
        }
    }

    private record Query(String text, Parameters params) {
    }

    /** datetime(6) keeps microseconds: truncating keeps the row, the answer and the event payload identical. */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
