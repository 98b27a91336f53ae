package io.bookmarket.stack;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A failed start names the component and its log file, and leaves no process behind. */
class StackFailureTest {

    @AfterEach
    void noOrphans() {
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(p -> p.info().commandLine().orElse("?")))
                .as("processes left running after a failed start").isEmpty();
    }

    @Test
    void takenKafkaPortIsNamedAndPostgresIsStoppedAgain() throws Exception {
        Path dir = fresh("target/fail-port");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> Stack.start(Stack.options(dir).kafkaPort(taken.getLocalPort())))
                    .isInstanceOf(StackStartException.class)
                    .hasMessageContaining("Kafka broker")
                    .hasMessageContaining("port " + taken.getLocalPort())
                    .hasMessageContaining("already in use")
                    .hasMessageContaining(dir.resolve("logs/kafka.log").toAbsolutePath().toString());
        }
    }

    @Test
    void corruptPostgresDataDirectoryIsNamed() throws Exception {
        Path dir = fresh("target/fail-corrupt");
        Path data = dir.resolve("postgres/data");
        Files.createDirectories(data);
        // A data directory that claims to be initialised but is garbage.
        Files.writeString(data.resolve("postgresql.conf"), "this is not a configuration file =\n");
        Files.writeString(data.resolve("PG_VERSION"), "garbage\n");
        assertThatThrownBy(() -> Stack.start(Stack.options(dir)))
                .isInstanceOf(StackStartException.class)
                .hasMessageStartingWith("PostgreSQL failed to start")
                .hasMessageContaining(dir.resolve("logs/postgresql.log").toAbsolutePath().toString());
    }

    @Test
    void missingJavaIsNamedAndEverythingElseStops() {
        Path dir = fresh("target/fail-java");
        System.setProperty("bookmarket.stack.java", "/nonexistent/bin/java");
        try {
            assertThatThrownBy(() -> Stack.start(Stack.options(dir)))
                    .isInstanceOf(StackStartException.class)
                    .hasMessageContaining("Kafka broker")
                    .hasMessageContaining("no Java executable at /nonexistent/bin/java");
        } finally {
            System.clearProperty("bookmarket.stack.java");
        }
    }

    @Test
    void brokerThatDiesWhileStartingIsReportedWithItsLog() throws Exception {
        Path dir = fresh("target/fail-broker");
        // A formatted log directory of another cluster makes the broker refuse to start.
        Files.createDirectories(dir.resolve("kafka/data"));
        Files.writeString(dir.resolve("kafka/data/meta.properties"), "version=1\ncluster.id=garbage\nnode.id=7\n");
        assertThatThrownBy(() -> Stack.start(Stack.options(dir)))
                .isInstanceOf(StackStartException.class)
                .hasMessageContaining("Kafka broker exited with code")
                .hasMessageContaining(dir.resolve("logs/kafka.log").toAbsolutePath().toString());
    }

    @Test
    void mariaDbThatCannotUseItsDataDirectoryIsNamedWithItsLogAndEverythingElseStops() throws Exception {
        Path dir = fresh("target/fail-mariadb");
        // Initialised (a system schema exists) but InnoDB's files are garbage: mariadbd exits while starting.
        Path data = dir.resolve("mariadb/data");
        Files.createDirectories(data.resolve("mysql"));
        Files.writeString(data.resolve("ibdata1"), "this is not an InnoDB system tablespace");
        assertThatThrownBy(() -> Stack.start(Stack.options(dir).withMariaDb(true)))
                .isInstanceOf(StackStartException.class)
                .hasMessageStartingWith("MariaDB exited with code")
                .hasMessageContaining(dir.resolve("logs/mariadb.log").toAbsolutePath().toString());
        assertThat(Files.readString(dir.resolve("logs/mariadb.log"))).containsIgnoringCase("InnoDB");
    }

    @Test
    void keycloakThatCannotStartIsNamedWithItsLogAndEverythingElseStops() throws Exception {
        Path dir = fresh("target/fail-keycloak");
        // A configuration of this stack's own in place of the distribution's, with a value Keycloak refuses at start.
        Path conf = dir.resolve("keycloak/home/conf");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("keycloak.conf"), "log-level=nonsense\n");
        assertThatThrownBy(() -> Stack.start(Stack.options(dir).withKeycloak(true)))
                .isInstanceOf(StackStartException.class)
                .hasMessageStartingWith("Keycloak exited with code")
                .hasMessageContaining(dir.resolve("logs/keycloak.log").toAbsolutePath().toString());
        assertThat(Files.readString(dir.resolve("logs/keycloak.log"))).contains("nonsense");
    }

    private static Path fresh(String path) {
        Path dir = Path.of(path);
        Dirs.deleteRecursively(dir);
        return dir;
    }
}
