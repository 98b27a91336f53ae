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

    /** Moves to {@code next} when the state machine allows it ({@link RegYn#canBecome}); the caller acts on the answer. */
    public RegYn.Move moveTo(RegYn next) {
        if (regYn == next) {
            return RegYn.Move.ALREADY;
        }
        if (!regYn.canBecome(next)) {
            return RegYn.Move.REFUSED;
        }
        regYn = next;
        updatedAt = now();
        return RegYn.Move.MOVED;
    }

    /** PostgreSQL keeps microseconds: truncating keeps the row, the answer and the event payload identical. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
