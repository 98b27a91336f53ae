package io.bookmarket.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What to start and where. Ports default to free ones; 0 means "any free port". */
public final class StackOptions {
    final Path workDir;
    final List<String> databases = new ArrayList<>();
    final List<String> mariaDbDatabases = new ArrayList<>();
    int postgresPort;
    int mariaDbPort;
    int kafkaPort;
    int connectPort;
    boolean withConnect;
    boolean withMariaDb;
    boolean dropSlotsOnClose = true;
    boolean withKeycloak;
    boolean keycloakInBackground;
    int keycloakPort;
    int keycloakManagementPort;
    Duration timeout = Duration.ofSeconds(90);
    boolean withTracing;
    int tracingPort;
    int otlpPort;

    StackOptions(Path workDir) {
        this.workDir = workDir;
    }

    public StackOptions databases(String... names) {
        databases.addAll(List.of(names));
        return this;
    }

    /** Databases on a MariaDB server (which is then started). */
    public StackOptions mariaDbDatabases(String... names) {
        mariaDbDatabases.addAll(List.of(names));
        withMariaDb = true;
        return this;
    }

    /** Whether a MariaDB server runs beside PostgreSQL (default: only when databases are asked for on it). */
    public StackOptions withMariaDb(boolean withMariaDb) {
        this.withMariaDb = withMariaDb;
        return this;
    }

    public StackOptions mariaDbPort(int port) {
        this.mariaDbPort = port;
        return this;
    }

    public StackOptions postgresPort(int port) {
        this.postgresPort = port;
        return this;
    }

    public StackOptions kafkaPort(int port) {
        this.kafkaPort = port;
        return this;
    }

    public StackOptions connectPort(int port) {
        this.connectPort = port;
        return this;
    }

    /** The trace backend: its UI/API on {@code uiPort}, OTLP/HTTP on {@code otlpPort} (0: free ones). */
    public StackOptions withTracing(int uiPort, int otlpPort) {
        this.withTracing = true;
        this.tracingPort = uiPort;
        this.otlpPort = otlpPort;
        return this;
    }

    public StackOptions withConnect(boolean withConnect) {
        this.withConnect = withConnect;
        return this;
    }

    /** Tests: true (slots would keep WAL forever). A persistent local system: false. */
    public StackOptions dropSlotsOnClose(boolean drop) {
        this.dropSlotsOnClose = drop;
        return this;
    }

    public StackOptions timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** Whether Keycloak runs (on the stack's PostgreSQL, realm bookmarket imported). */
    public StackOptions withKeycloak(boolean withKeycloak) {
        this.withKeycloak = withKeycloak;
        return this;
    }

    public StackOptions keycloakPort(int port) {
        this.keycloakPort = port;
        return this;
    }

    /** Keycloak's management interface (health). */
    public StackOptions keycloakManagementPort(int port) {
        this.keycloakManagementPort = port;
        return this;
    }

    /**
     * true: {@link Stack#start} returns once the other components are ready while Keycloak goes on starting;
     * {@link Stack#keycloak()} waits for it. Lets services start beside Keycloak (they reach it later).
     */
    public StackOptions keycloakInBackground(boolean background) {
        this.keycloakInBackground = background;
        return this;
    }

    /** Keycloak takes 25-50 s to start on two busy cores, several times the others. */
    Duration keycloakTimeout() {
        return timeout.compareTo(Duration.ofMinutes(4)) > 0 ? timeout : Duration.ofMinutes(4);
    }
}
