package io.bookmarket.stack.testing;

import io.bookmarket.stack.Dirs;
import io.bookmarket.stack.DatabaseServer;
import io.bookmarket.stack.Stack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.Map;

/**
 * Gives a service's {@code @QuarkusTest}s a real database of their own and the real Kafka broker. The stack is
 * started once per test JVM (on first use) and stopped when the JVM exits. Init args: {@code database}, the
 * service's database name; {@code engine}, {@code postgresql} (default) or {@code mariadb}.
 */
public class StackTestResource implements QuarkusTestResourceLifecycleManager {

    private static Stack shared;
    private String database = "app";
    private boolean mariaDb;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
        mariaDb = switch (initArgs.getOrDefault("engine", "postgresql")) {
            case "postgresql" -> false;
            case "mariadb" -> true;
            default -> throw new IllegalArgumentException("engine is postgresql or mariadb, not " + initArgs.get("engine"));
        };
    }

    @Override
    public Map<String, String> start() {
        Stack stack = shared(mariaDb);
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "kafka.bootstrap.servers", stack.kafka().bootstrapServers(),
                "quarkus.devservices.enabled", "false"));
        DatabaseServer server = mariaDb ? stack.mariaDb() : stack.postgres();
        server.createDatabase(database);
        config.put("quarkus.datasource.jdbc.url", server.jdbcUrl(database));
        config.put("quarkus.datasource.username", server.user());
        config.put("quarkus.datasource.password", server.password());
        return config;
    }

    /** The stack of this test JVM, started on first call (PostgreSQL + Kafka unless a test resource asked for MariaDB). */
    public static Stack shared() {
        return shared(false);
    }

    /** The stack of this test JVM, started on first call; with a MariaDB server when the first caller asks for one. */
    private static synchronized Stack shared(boolean withMariaDb) {
        if (shared != null && withMariaDb && !shared.hasMariaDb()) {
            throw new IllegalStateException("The test stack of this JVM was started without MariaDB");
        }
        if (shared == null) {
            // Fresh every run: tests must not see a previous run's rows or messages.
            Path workDir = Path.of(System.getProperty("bookmarket.stack.dir", "target/stack"));
            Dirs.deleteRecursively(workDir);
            io.bookmarket.stack.StackOptions options = Stack.options(workDir);
            shared = Stack.start(options.withMariaDb(withMariaDb));
            System.out.printf("Test stack (PostgreSQL%s + Kafka) ready in %d ms%n", withMariaDb ? " + MariaDB" : "",
                    shared.startupTimes().get("total").toMillis());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "stack-shutdown"));
        }
        return shared;
    }

    @Override
    public void stop() {
        // The stack outlives one test class: it stops with the JVM.
    }
}
