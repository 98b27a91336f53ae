package io.bookmarket.regrequest.domain;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Request ids, taken before the row exists: the id is sent to approval-service first, and the row is inserted only
 * once the review is open. reg_request_seq moves in blocks of {@link #BLOCK} (V3), and each block is handed out from
 * memory, the way Hibernate's pooled-lo optimizer does: one short transaction per 50 requests instead of one per
 * request. Ids of a crashed instance's unused block are simply never used (gaps are harmless).
 */
@ApplicationScoped
public class RequestIds {

    /** Must equal the sequence's INCREMENT BY. */
    static final int BLOCK = 50;

    @Inject
    EntityManager em;

    private long next;
    private long end;

    /** The next request id; unique across restarts and instances. */
    public synchronized long next() {
        if (next == end) {
            long first = QuarkusTransaction.requiringNew().call(() ->
                    ((Number) em.createNativeQuery("SELECT nextval('reg_request_seq')").getSingleResult()).longValue());
            next = first;
            end = first + BLOCK;
        }
        return next++;
    }
}
