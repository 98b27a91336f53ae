package io.bookmarket.regrequest.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;

/** The Idempotency-Key table of POST /regRequests (plain SQL: an upsert and two lookups). */
@ApplicationScoped
public class IdempotencyKey {

    /** What a key stands for: the body it was first used with, its request id and, once stored, the first answer. */
    public record Entry(String bodyHash, long requestId, String response) {
    }

    @Inject
    EntityManager em;

    /**
     * Reserves the key with the given fresh request id unless it is already known, in its own short transaction; returns
     * the key's entry either way. The primary key makes concurrent reservations of one key yield one entry.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Entry reserve(String key, String bodyHash, long requestId) {
        em.createNativeQuery("""
                INSERT INTO idempotency_key (idem_key, body_hash, request_id) VALUES (:key, :hash, :id)
                ON CONFLICT (idem_key) DO NOTHING""")
                .setParameter("key", key).setParameter("hash", bodyHash).setParameter("id", requestId).executeUpdate();
        return find(key);
    }

    /** Records the first answer, in the caller's transaction (the one that stores the request). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void answered(String key, String response) {
        em.createNativeQuery("UPDATE idempotency_key SET response = :response WHERE idem_key = :key AND response IS NULL")
                .setParameter("key", key).setParameter("response", response).executeUpdate();
    }

    @Transactional
    public Entry find(String key) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT body_hash, request_id, response FROM idempotency_key WHERE idem_key = :key")
                .setParameter("key", key).getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] row = rows.getFirst();
        return new Entry(((String) row[0]).trim(), ((Number) row[1]).longValue(), (String) row[2]);
    }
}
