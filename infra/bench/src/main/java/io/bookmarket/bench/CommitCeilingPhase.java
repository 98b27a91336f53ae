package io.bookmarket.bench;

import io.bookmarket.stack.MariaDbServer;
import io.bookmarket.stack.PostgresServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.bookmarket.bench.Bench.progress;

/**
 * The hardware ceiling: durable one-row commits through JDBC against the services' own database servers,
 * PostgreSQL (regrequest-service, publisher-view) and MariaDB (approval-service), side by side.
 */
final class CommitCeilingPhase {

    private final BenchOptions options;
    private final SystemUnderTest sut;

    CommitCeilingPhase(BenchOptions options, SystemUnderTest sut) {
        this.options = options;
        this.sut = sut;
    }

    /** The servers' connections and their dialects. */
    private interface Engine {
        Connection connect() throws Exception;
    }

    Map<String, Object> run() throws Exception {
        PostgresServer postgres = sut.system().stack().postgres();
        postgres.createDatabase("bench");
        MariaDbServer mariaDb = sut.system().stack().mariaDb();
        mariaDb.createDatabase("bench");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("postgresql", ceiling("PostgreSQL", () -> postgres.connect("bench"),
                "CREATE TABLE IF NOT EXISTS commit_probe (id bigserial PRIMARY KEY, worker int NOT NULL, "
                        + "at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)",
                List.of("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "commit_delay",
                        "max_connections", "shared_buffers", "server_version").stream().map(s -> "SHOW " + s).toList()));
        // Same row, same binlog the connector reads: each commit is written to InnoDB's log and to the binlog, both synced.
        m.put("mariadb", ceiling("MariaDB", () -> mariaDb.connect("bench"),
                "CREATE TABLE IF NOT EXISTS commit_probe (id bigint AUTO_INCREMENT PRIMARY KEY, worker int NOT NULL, "
                        + "at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), note text NOT NULL) ENGINE=InnoDB",
                List.of("innodb_flush_log_at_trx_commit", "sync_binlog", "binlog_format", "innodb_flush_method",
                        "innodb_buffer_pool_size", "max_connections", "version").stream()
                        .map(s -> "SELECT @@" + s).toList()));
        return m;
    }

    private Map<String, Object> ceiling(String server, Engine engine, String createTable, List<String> settingQueries)
            throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection c = engine.connect(); Statement s = c.createStatement()) {
            s.execute(createTable);
            Map<String, String> settings = new LinkedHashMap<>();
            for (String query : settingQueries) {
                try (ResultSet rs = s.executeQuery(query)) {
                    rs.next();
                    settings.put(query.replaceFirst("^(SHOW |SELECT @@)", ""), rs.getString(1));
                }
            }
            m.put("serverSettings", settings);
        }
        m.put("what", "one-row INSERT per transaction (autocommit), one connection per worker, same " + server
                + " server as the services");
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int concurrency : options.concurrency) {
            List<Connection> connections = new ArrayList<>();
            List<PreparedStatement> inserts = new ArrayList<>();
            try {
                for (int i = 0; i < concurrency; i++) {
                    Connection c = engine.connect();
                    connections.add(c);
                    inserts.add(c.prepareStatement("INSERT INTO commit_probe (worker, note) VALUES (?, ?)"));
                }
                LoadGenerator.Outcome outcome = LoadGenerator.closedLoop("commit", concurrency, options.warmup, options.duration,
                        status -> status == 0, (worker, seq) -> {
                            PreparedStatement insert = inserts.get(worker);
                            insert.setInt(1, worker);
                            insert.setString(2, "probe " + seq);
                            return insert.executeUpdate() == 1 ? 0 : 1;
                        });
                runs.add(outcome.json());
                progress("%s commit ceiling c=%d: %.0f commits/s, p50 %s ms, p99 %s ms", server, concurrency,
                        outcome.throughput(), LoadGenerator.ms(outcome.corrected().getValueAtPercentile(50)),
                        LoadGenerator.ms(outcome.corrected().getValueAtPercentile(99)));
            } finally {
                for (Connection c : connections) {
                    c.close();
                }
            }
        }
        m.put("runs", runs);
        return m;
    }
}
