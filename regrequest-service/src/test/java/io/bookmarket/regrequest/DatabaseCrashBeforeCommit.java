package io.bookmarket.regrequest;

import io.bookmarket.stack.Stack;
import io.bookmarket.stack.testing.StackTestResource;
import io.debezium.outbox.quarkus.ExportedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test hook (test classes only): once armed, the next transaction that publishes an event has its statements sent,
 * then PostgreSQL is killed (SIGKILL), so that the COMMIT itself meets a dead connection.
 */
@ApplicationScoped
public class DatabaseCrashBeforeCommit {

    private static final AtomicBoolean ARMED = new AtomicBoolean();

    @Inject
    TransactionSynchronizationRegistry transactions;

    @Inject
    EntityManager em;

    static void arm() {
        ARMED.set(true);
    }

    void onEvent(@Observes ExportedEvent<?, ?> event) {
        if (!ARMED.compareAndSet(true, false)) {
            return;
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                em.flush(); // every statement has reached the database; only the COMMIT is left
                StackTestResource.shared().kill(Stack.Component.POSTGRES);
            }

            @Override
            public void afterCompletion(int status) {
            }
        });
    }
}
