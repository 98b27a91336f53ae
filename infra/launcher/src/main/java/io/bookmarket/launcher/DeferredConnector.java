package io.bookmarket.launcher;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The outbox connector of a service that runs outside the system (dev mode): that service creates its outbox table
 * when it first starts, which may be long after the system. The connector is registered once the table exists
 * (looked for every half second), so its events are relayed from then on.
 */
final class DeferredConnector implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DeferredConnector.class.getName());
    static final Duration POLL = Duration.ofMillis(500);

    private final Thread waiting;

    private DeferredConnector(Thread waiting) {
        this.waiting = waiting;
    }

    static DeferredConnector start(String connector, String service, BooleanSupplier outboxTableExists, Runnable register) {
        return new DeferredConnector(Thread.ofVirtual().name(connector + "-registration").start(() -> {
            try {
                if (!outboxTableExists.getAsBoolean()) {
                    LOG.log(System.Logger.Level.INFO, "Connector " + connector + " waits for " + service
                            + " to create its outbox table (its first start)");
                    while (!outboxTableExists.getAsBoolean()) {
                        Thread.sleep(POLL);
                    }
                }
                register.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the system is stopping
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Connector " + connector + " could not be registered: " + e.getMessage());
            }
        }));
    }

    /** Stops waiting: the system is stopping. */
    @Override
    public void close() {
        waiting.interrupt();
        try {
            waiting.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
