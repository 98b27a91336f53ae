package io.bookmarket.support.event;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The idempotent consumer's memory: records an event id in the caller's transaction. When the transaction
 * rolls back, so does the record, and the redelivered event is processed again.
 */
@ApplicationScoped
public class ProcessedEventLog {

    @Inject
    EntityManager em;

    /** @return true the first time an event id is seen, false for a duplicate delivery (do nothing then) */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean firstDelivery(IncomingEvent event) {
        // ON CONFLICT makes concurrent duplicates safe too: exactly one transaction inserts the id.
        return em.createNativeQuery("""
                INSERT INTO processed_event (event_id, event_type, source_topic) VALUES (:id, :type, :topic)
                ON CONFLICT (event_id) DO NOTHING""")
                .setParameter("id", event.eventId())
                .setParameter("type", event.eventType())
                .setParameter("topic", event.topic())
                .executeUpdate() == 1;
    }

    /** How many events have been applied (for tests and diagnostics). */
    public long count() {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM processed_event").getSingleResult()).longValue();
    }
}
