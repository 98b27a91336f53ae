package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.launcher.SystemOptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;

/**
 * The one whole system of the reliability suite, two replicas of every service behind the gateway: started before the
 * first scenario class, stopped after the last (a root-store resource), then checked to have left no process behind.
 */
final class ReliabilitySystem implements BeforeAllCallback {

    private static final Path DATA = Path.of("target/reliability-system");

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(ReliabilitySystem.class, key -> start(), Stopper.class);
    }

    private static Stopper start() {
        Scenario.options = SystemOptions.isolated(Path.of(System.getProperty("bookmarket.repo", "../..")), DATA)
                .replicas(REGREQUEST, Scenario.REPLICAS).replicas(APPROVAL, Scenario.REPLICAS)
                .replicas(PUBLISHER_VIEW, Scenario.REPLICAS)
                // After approval-service restarts, the breaker lets requests through again within 2 s.
                .env(REGREQUEST, Map.of("APPROVAL_BREAKER_DELAY", "2s"))
                // Tickets of requests that were never stored (a crash between the two steps) stay for the state dumps.
                .env(APPROVAL, Map.of("APPROVE_UNCONFIRMED_TTL", "24h"));
        long begin = System.nanoTime();
        LocalSystem system = LocalSystem.start(Scenario.options);
        Scenario.system = system;
        Scenario.db = new Databases(system);
        Scenario.topics = new Topics(system.stack().kafka().bootstrapServers());
        Scenario.consistency = new Consistency(Scenario.db, Scenario.topics);
        Scenario.tokens = new Tokens(system);
        Scenario.print("whole system up in %d ms", Duration.ofNanos(System.nanoTime() - begin).toMillis());
        return new Stopper();
    }

    /** Stops the system after the last scenario, and checks that no process of it is left behind. */
    private static final class Stopper implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            List<String> slots = Scenario.system.stack().postgres().replicationSlots();
            Scenario.system.close(); // ephemeral: deletes the connectors, then drops their slots
            Scenario.print("stopped; replication slots %s dropped", slots);
            long left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
            if (left > 0) {
                throw new AssertionError(left + " processes of the whole system were left behind");
            }
            Scenario.print("no processes left behind");
        }
    }
}
