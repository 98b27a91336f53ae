package io.bookmarket.regrequest.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** A publisher's request to register a new book; its status ({@link RegYn}) follows the review. */
@Entity
@Table(name = "reg_request")
public class RegRequest extends PanacheEntityBase {

    /** Taken before the review is opened ({@link RequestIds}), never generated on insert. */
    @Id
    public Long id;

    @Column(name = "book_id", nullable = false)
    public long bookId;

    @Column(name = "book_nm", nullable = false, length = 200)
    public String bookNm;

    @Column(name = "publ_id", nullable = false)
    public long publId;

    @Enumerated(EnumType.STRING)
    @Column(name = "reg_yn", nullable = false, length = 16)
    public RegYn regYn;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;

    public static RegRequest filed(long id, long bookId, String bookNm, long publId) {
        RegRequest request = new RegRequest();
        request.id = id;
        request.bookId = bookId;
        request.bookNm = bookNm;
        request.publId = publId;
        request.regYn = RegYn.RegRequested;
        request.createdAt = now();
        request.updatedAt = request.createdAt;
        return request;
    }

    /** Loads a request for a status change; the row lock serialises a publisher's cancel with review events. */
    public static Optional<RegRequest> lockById(long id) {
        return Optional.ofNullable(findById(id, LockModeType.PESSIMISTIC_WRITE));
    }

    public static List<RegRequest> newestFirst(Long publId, int page, int size) {
        Sort newest = Sort.descending("createdAt", "id");
        return (publId == null ? findAll(newest) : find("publId", newest, publId)).page(Page.of(page, size)).list();
    }

    public static long countFor(Long publId) {
        return publId == null ? count() : count("publId", publId);
    }

    /**
     * Moves to {@code next} when the state machine allows it.
     *
     * @return true when the status changed, false when the request already has that status (a harmless repeat)
     * @throws IllegalStateException when the transition is not allowed
     */
    public boolean moveTo(RegYn next) {
        if (regYn == next) {
            return false;
        }
        if (!allowed(regYn, next)) {
            throw new IllegalStateException("Request " + id + " is " + regYn + " and cannot become " + next);
        }
        regYn = next;
        updatedAt = now();
        return true;
    }

    public static boolean allowed(RegYn from, RegYn to) {
        return switch (from) {
            case RegRequested -> to == RegYn.Approved || to == RegYn.Rejected || to == RegYn.ReqCanceled
                    // Extension of the original: approval-service lets a reviewer cancel a review still pending.
                    || to == RegYn.AppCanceled;
            case Approved -> to == RegYn.ReqCanceled || to == RegYn.AppCanceled;
            case Rejected, ReqCanceled, AppCanceled -> false;
        };
    }

    /** PostgreSQL keeps microseconds: truncating keeps the row, the answer and the event payload identical. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
