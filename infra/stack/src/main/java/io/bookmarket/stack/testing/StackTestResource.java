package io.bookmarket.stack.testing;

import io.bookmarket.stack.Dirs;
import io.bookmarket.stack.DatabaseServer;
import io.bookmarket.stack.Stack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gives a service's {@code @QuarkusTest}s a real database of their own and the real Kafka broker. The stack is
 * started on first use, once per test profile (the next profile stops it), and stopped when the JVM exits. Init args:
 * {@code database}, the service's database name; {@code engine}, {@code postgresql} (default) or {@code mariadb}.
 */
public class StackTestResource implements QuarkusTestResourceLifecycleManager {

    /** Where the running stack is found by a later test profile, which sees a copy of this class of its own. */
    private static final ObjectName RUNNING = runningStackName();

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

    /** The test stack, started on first call (PostgreSQL + Kafka unless a test resource asked for MariaDB). */
    public static Stack shared() {
        return shared(false);
    }

    /** The test stack, started on first call; with a MariaDB server when the first caller asks for one. */
    private static synchronized Stack shared(boolean withMariaDb) {
        if (shared != null && withMariaDb && !shared.hasMariaDb()) {
            throw new IllegalStateException("The test stack of this JVM was started without MariaDB");
        }
        if (shared == null) {
            stopStackOfEarlierProfile();
            // Fresh every run: tests must not see a previous run's rows or messages.
            Path workDir = Path.of(System.getProperty("bookmarket.stack.dir", "target/stack"));
            Dirs.deleteRecursively(workDir);
            io.bookmarket.stack.StackOptions options = Stack.options(workDir);
            shared = Stack.start(options.withMariaDb(withMariaDb));
            System.out.printf("Test stack (PostgreSQL%s + Kafka) ready in %d ms%n", withMariaDb ? " + MariaDB" : "",
                    shared.startupTimes().get("total").toMillis());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "stack-shutdown"));
            register(shared);
        }
        return shared;
    }

    /**
     * Quarkus starts each test profile's application in a class loader of its own, and with it a copy of this class
     * whose {@link #shared} is empty: it starts a stack of its own. The earlier profile's stack would run on until the
     * JVM exits, and its files, still being written, are in the directory the new one clears. It is stopped first;
     * the platform MBean server is what both class loaders see.
     */
    private static void stopStackOfEarlierProfile() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(RUNNING)) {
                server.invoke(RUNNING, "stop", null, null);
                server.unregisterMBean(RUNNING);
            }
        } catch (JMException e) {
            throw new IllegalStateException("Could not stop the test stack of an earlier test profile", e);
        }
    }

    private static void register(Stack stack) {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(
                    new StandardMBean(new RunningStack(stack), RunningStackMXBean.class, true), RUNNING);
        } catch (JMException e) {
            throw new IllegalStateException("Could not register the test stack", e);
        }
    }

    private static ObjectName runningStackName() {
        try {
            return new ObjectName("io.bookmarket:type=TestStack");
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The running test stack, as the next test profile's class loader sees it. */
    public interface RunningStackMXBean {
        void stop();
    }

    private record RunningStack(Stack stack) implements RunningStackMXBean {
        @Override
        public void stop() {
            stack.close();
        }
    }

    @Override
    public void stop() {
        // The stack outlives one test class: it stops with the JVM.
    }
}
