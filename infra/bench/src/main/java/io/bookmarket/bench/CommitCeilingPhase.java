package io.bookmarket.bench;

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

/** The hardware ceiling: durable one-row commits through JDBC against the services' PostgreSQL server. */
final class CommitCeilingPhase {

    private final BenchOptions options;
    private final SystemUnderTest sut;

    CommitCeilingPhase(BenchOptions options, SystemUnderTest sut) {
        this.options = options;
        this.sut = sut;
    }

    Map<String, Object> run() throws Exception {
        PostgresServer postgres = sut.system().stack().postgres();
        postgres.createDatabase("bench");
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection c = postgres.connect("bench"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS commit_probe (id bigserial PRIMARY KEY, worker int NOT NULL, "
                    + "at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)");
            Map<String, String> settings = new LinkedHashMap<>();
            for (String setting : List.of("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "commit_delay",
                    "max_connections", "shared_buffers", "server_version")) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    settings.put(setting, rs.getString(1));
                }
            }
            m.put("serverSettings", settings);
        }
        m.put("what", "one-row INSERT per transaction (autocommit), one connection per worker, same PostgreSQL server as the services");
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int concurrency : options.concurrency) {
            List<Connection> connections = new ArrayList<>();
            List<PreparedStatement> inserts = new ArrayList<>();
            try {
                for (int i = 0; i < concurrency; i++) {
                    Connection c = postgres.connect("bench");
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
                progress("commit ceiling c=%d: %.0f commits/s, p50 %s ms, p99 %s ms", concurrency, outcome.throughput(),
                        LoadGenerator.ms(outcome.corrected().getValueAtPercentile(50)),
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
