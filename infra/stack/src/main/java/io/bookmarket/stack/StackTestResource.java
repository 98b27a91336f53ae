package io.bookmarket.stack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.Map;

/**
 * Gives a service's {@code @QuarkusTest}s a real PostgreSQL database of their own and the real Kafka broker.
 * The stack is started once per test JVM (on first use) and stopped when the JVM exits. Init arg
 * {@code database}: the service's database name.
 */
public class StackTestResource implements QuarkusTestResourceLifecycleManager {

    private static Stack shared;
    private String database = "app";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        Stack stack = shared();
        stack.postgres().createDatabase(database);
        return Map.of(
                "quarkus.datasource.jdbc.url", stack.postgres().jdbcUrl(database),
                "quarkus.datasource.username", PostgresServer.USER,
                "quarkus.datasource.password", "",
                "kafka.bootstrap.servers", stack.kafka().bootstrapServers(),
                "quarkus.devservices.enabled", "false");
    }

    /** The stack of this test JVM, started on first call. */
    public static synchronized Stack shared() {
        if (shared == null) {
            // Fresh every run: tests must not see a previous run's rows or messages.
            Path workDir = Path.of(System.getProperty("bookmarket.stack.dir", "target/stack"));
            deleteRecursively(workDir);
            shared = Stack.start(Stack.options(workDir));
            System.out.printf("Test stack (PostgreSQL + Kafka) ready in %d ms%n",
                    shared.startupTimes().get("total").toMillis());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "stack-shutdown"));
        }
        return shared;
    }

    static void deleteRecursively(Path dir) {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Could not clear " + dir, e);
        }
    }

    @Override
    public void stop() {
        // The stack outlives one test class: it stops with the JVM.
    }
}
