package io.bookmarket.launcher;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A service in dev mode creates its outbox table late: its connector is registered then, once, or never if stopped. */
class DeferredConnectorTest {

    @Test
    void theConnectorIsRegisteredOnceTheOutboxTableExistsAndOnlyOnce() throws Exception {
        AtomicBoolean table = new AtomicBoolean();
        AtomicInteger registrations = new AtomicInteger();
        CountDownLatch registered = new CountDownLatch(1);
        try (DeferredConnector connector = DeferredConnector.start("test-outbox", "test-service", table::get, () -> {
            registrations.incrementAndGet();
            registered.countDown();
        })) {
            assertThat(registered.await(DeferredConnector.POLL.toMillis() * 3, TimeUnit.MILLISECONDS))
                    .as("not before the table exists").isFalse();
            table.set(true);
            assertThat(registered.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(registrations).hasValue(1);
    }

    @Test
    void aSystemThatStopsFirstNeverRegistersIt() throws InterruptedException {
        AtomicInteger registrations = new AtomicInteger();
        AtomicBoolean table = new AtomicBoolean();
        DeferredConnector connector = DeferredConnector.start("test-outbox", "test-service", table::get, registrations::incrementAndGet);
        connector.close();
        table.set(true);
        Thread.sleep(DeferredConnector.POLL.multipliedBy(3)); // a waiter that was not stopped would see the table now
        assertThat(registrations).hasValue(0);
    }
}
