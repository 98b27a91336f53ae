package io.bookmarket.e2e;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.launcher.SystemOptions;
import io.restassured.RestAssured;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.bookmarket.launcher.LocalSystem.REGREQUEST;

/**
 * The one whole system (PostgreSQL, MariaDB, Kafka, Connect + 2 connectors, Keycloak, the trace backend, 3 services,
 * the gateway) that every suite of this module uses: started by the first suite that needs it, stopped after the last
 * (a root-store resource), so the module pays one start.
 */
public final class WholeSystem implements BeforeAllCallback {

    private static final Path DATA = Path.of("target/e2e-system");
    private static SystemOptions options;
    private static LocalSystem system;

    @Override
    public void beforeAll(ExtensionContext context) {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(WholeSystem.class, key -> start(), Stopper.class);
    }

    private static Stopper start() {
        options = SystemOptions.isolated(Path.of(System.getProperty("bookmarket.repo", "../..")), DATA)
                // The breaker scenario needs a short reopen delay; everything else runs on the shipped defaults.
                .env(REGREQUEST, Map.of("APPROVAL_BREAKER_DELAY", "3s"));
        long begin = System.nanoTime();
        // Slots are kept on this first close: the restart scenario resumes from them.
        system = LocalSystem.start(options.ephemeral(false));
        System.out.printf("E2E: whole system (PostgreSQL, MariaDB, Kafka, Connect + 2 connectors, Keycloak, trace backend, "
                + "3 services) up in %d ms (infrastructure: %s)%n", Duration.ofNanos(System.nanoTime() - begin).toMillis(),
                system.stack().startupTimes());
        return new Stopper();
    }

    static LocalSystem system() {
        return system;
    }

    /** Stops everything and starts it again on the same data directory (ports of the infrastructure may change). */
    static LocalSystem restart() {
        system.close();
        system = LocalSystem.start(options.ephemeral(true));
        return system;
    }

    /** Stops the system after the last suite, and checks that no process of it is left behind. */
    private static final class Stopper implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            system.close();
            long left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
            if (left > 0) {
                throw new AssertionError(left + " processes of the whole system were left behind");
            }
        }
    }
}
