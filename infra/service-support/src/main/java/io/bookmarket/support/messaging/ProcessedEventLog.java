package io.bookmarket.support.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The idempotent consumer's memory: records an event id in the caller's transaction. When the transaction
 * rolls back, so does the record, and the redelivered event is processed again.
 */
@ApplicationScoped
public class ProcessedEventLog {

    /*
     * Insert unless present, in one statement, so that concurrent duplicates are safe too: exactly one transaction
     * inserts the id. Each engine spells it its own way.
     */
    private static final String POSTGRESQL = """
            INSERT INTO processed_event (event_id, event_type, source_topic) VALUES (:id, :type, :topic)
            ON CONFLICT (event_id) DO NOTHING""";
    private static final String MARIADB = """
            INSERT IGNORE INTO processed_event (event_id, event_type, source_topic) VALUES (:id, :type, :topic)""";

    @Inject
    EntityManager em;

    private final String insertUnlessPresent;

    @Inject
    public ProcessedEventLog(@ConfigProperty(name = "quarkus.datasource.db-kind") String dbKind) {
        insertUnlessPresent = switch (dbKind) {
            case "postgresql" -> POSTGRESQL;
            case "mariadb" -> MARIADB;
            default -> throw new IllegalStateException("No processed-event log for database kind " + dbKind);
        };
    }

    /** @return true the first time an event id is seen, false for a duplicate delivery (do nothing then) */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean firstDelivery(IncomingEvent event) {
        return em.createNativeQuery(insertUnlessPresent)
                .setParameter("id", event.eventId())
                .setParameter("type", event.eventType())
                .setParameter("topic", event.topic())
                .executeUpdate() == 1;
    }
}
