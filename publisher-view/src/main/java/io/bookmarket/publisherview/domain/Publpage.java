package io.bookmarket.publisherview.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.ColumnResult;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityResult;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.SqlResultSetMapping;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A publisher's view of one registration request. Events of one request come from two topics in no guaranteed
 * order, so every merge is monotonic (statuses only move up their rank, known facts are never blanked): any
 * arrival order of the same events ends in the same row.
 */
@Entity
@Table(name = "publpage")
@SqlResultSetMapping(name = Publpage.LOCKED_OR_CREATED, entities = @EntityResult(entityClass = Publpage.class),
        columns = @ColumnResult(name = "created", type = Boolean.class))
public class Publpage extends PanacheEntityBase {

    /** A row and whether the statement that returned it created it. */
    public static final String LOCKED_OR_CREATED = "Publpage.lockedOrCreated";

    @Id
    @Column(name = "req_id")
    public Long reqId;

    @Column(name = "publ_id")
    public Long publId;

    @Column(name = "book_id")
    public Long bookId;

    @Column(name = "book_nm", length = 200)
    public String bookNm;

    @Enumerated(EnumType.STRING)
    @Column(name = "reg_yn", length = 16)
    public RegYn regYn;

    @Enumerated(EnumType.STRING)
    @Column(name = "app_yn", length = 16)
    public AppYn appYn;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", nullable = false, length = 16)
    public PublStatus status;

    @Column(name = "approve_id")
    public Long approveId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "last_event_at", nullable = false)
    public Instant lastEventAt;

    /** The row a request's first event creates, before that event's merge fills it. */
    public static Publpage firstSeen(long reqId, Instant now, Instant occurredAt) {
        Publpage page = new Publpage();
        page.reqId = reqId;
        page.status = PublStatus.RegRequested;
        page.createdAt = now;
        page.updatedAt = now;
        page.lastEventAt = occurredAt;
        return page;
    }

    /**
     * RegRequested or ReqCanceled. The request is the authority on its publisher; book facts are filled once.
     * A request event also means the request was filed, so the review is at least "awaiting review".
     *
     * @return whether any business field changed
     */
    public boolean mergeRequest(RegYn event, long publId, long bookId, String bookNm) {
        Object before = businessFields();
        this.publId = publId;
        this.bookId = this.bookId == null ? bookId : this.bookId;
        this.bookNm = this.bookNm == null ? bookNm : this.bookNm;
        this.regYn = max(this.regYn, event);
        this.appYn = max(this.appYn, AppYn.RegRequested);
        this.status = deriveStatus(regYn, appYn);
        return !before.equals(businessFields());
    }

    /**
     * Approved, Rejected or AppCanceled from review {@code approveId}. Fills the publisher only if the request's
     * own events have not told it yet.
     *
     * @return whether any business field changed
     */
    public boolean mergeReview(AppYn event, long approveId, long publId) {
        Object before = businessFields();
        this.approveId = this.approveId == null ? approveId : this.approveId;
        this.publId = this.publId == null ? publId : this.publId;
        this.appYn = max(this.appYn, event);
        this.status = deriveStatus(regYn, appYn);
        return !before.equals(businessFields());
    }

    /**
     * The displayed status, by precedence: a request the publisher cancelled shows {@code ReqCanceled}; otherwise
     * a review outcome (Approved, Rejected, AppCanceled) shows as is; otherwise the request awaits review
     * ({@code RegRequested}).
     */
    public static PublStatus deriveStatus(RegYn regYn, AppYn appYn) {
        if (regYn == RegYn.ReqCanceled) {
            return PublStatus.ReqCanceled;
        }
        if (appYn != null && appYn != AppYn.RegRequested) {
            return PublStatus.valueOf(appYn.name());
        }
        return PublStatus.RegRequested;
    }

    /** Everything an event can change except timestamps: what "the same row" means. */
    public List<Object> businessFields() {
        return Arrays.asList(reqId, publId, bookId, bookNm, regYn, appYn, status, approveId);
    }

    private static <E extends Enum<E>> E max(E current, E incoming) {
        return current == null || incoming.ordinal() > current.ordinal() ? incoming : current;
    }

    @Override
    public String toString() {
        return "Publpage" + businessFields() + " lastEventAt=" + lastEventAt;
    }
}
