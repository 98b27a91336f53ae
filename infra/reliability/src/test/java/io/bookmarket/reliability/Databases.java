package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the three services' databases directly (JDBC), to compare what the services say with what they stored:
 * regrequest and publisherview on PostgreSQL, approval on MariaDB.
 */
final class Databases {

    static final List<String> NAMES = List.of("regrequest", "approval", "publisherview");
    private static final String MARIADB = "approval";

    record Ticket(long id, String appYn, boolean confirmed) {
    }

    private final LocalSystem system;

    Databases(LocalSystem system) {
        this.system = system;
    }

    Map<Long, String> requests() {
        return longToString("regrequest", "SELECT id, reg_yn FROM reg_request");
    }

    Map<Long, Ticket> ticketsByRequest() {
        Map<Long, Ticket> tickets = new HashMap<>();
        query("approval", "SELECT req_req_id, id, app_yn, confirmed FROM approve", rs -> tickets.put(rs.getLong(1),
                new Ticket(rs.getLong(2), rs.getString(3), rs.getBoolean(4))));
        return tickets;
    }

    Map<Long, String> views() {
        return longToString("publisherview", "SELECT req_id, status FROM publpage");
    }

    /** event ids a consumer recorded as applied, for one source topic. */
    Set<String> processed(String database, String topic) {
        Set<String> ids = new HashSet<>();
        String id = database.equals(MARIADB) ? "event_id" : "event_id::text";
        query(database, "SELECT " + id + " FROM processed_event WHERE source_topic = '" + topic + "'", rs -> ids.add(rs.getString(1)));
        return ids;
    }

    /**
     * Every table (row count and a hash of all rows) and every sequence of the three databases: equal dumps mean
     * nothing changed anywhere.
     */
    Map<String, String> dump() {
        Map<String, String> dump = new TreeMap<>();
        for (String db : NAMES) {
            if (db.equals(MARIADB)) {
                dumpMariaDb(db, dump);
                continue;
            }
            List<String> tables = new ArrayList<>();
            query(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                    rs -> tables.add(rs.getString(1)));
            for (String table : tables) {
                query(db, "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM \"" + table + "\" t",
                        rs -> dump.put(db + "." + table, rs.getLong(1) + " rows, md5 " + rs.getString(2)));
            }
            query(db, "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'",
                    rs -> dump.put(db + ".sequence " + rs.getString(1), String.valueOf(rs.getObject(2))));
        }
        return dump;
    }

    /** MariaDB: row count and CHECKSUM TABLE per table; each table's AUTO_INCREMENT stands for its sequence. */
    private void dumpMariaDb(String db, Map<String, String> dump) {
        Map<String, String> nextIds = new TreeMap<>();
        query(db, "SELECT table_name, auto_increment FROM information_schema.tables WHERE table_schema = '" + db
                + "' AND table_type = 'BASE TABLE'", rs -> nextIds.put(rs.getString(1), String.valueOf(rs.getObject(2))));
        for (Map.Entry<String, String> table : nextIds.entrySet()) {
            long[] rows = new long[1];
            query(db, "SELECT count(*) FROM `" + table.getKey() + "`", rs -> rows[0] = rs.getLong(1));
            query(db, "CHECKSUM TABLE `" + table.getKey() + "` EXTENDED",
                    rs -> dump.put(db + "." + table.getKey(), rows[0] + " rows, checksum " + rs.getString(2)));
            dump.put(db + ".auto_increment " + table.getKey(), table.getValue());
        }
    }

    private Map<Long, String> longToString(String db, String sql) {
        Map<Long, String> map = new HashMap<>();
        query(db, sql, rs -> map.put(rs.getLong(1), rs.getString(2)));
        return map;
    }

    interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    void query(String db, String sql, Row row) {
        try (Connection c = db.equals(MARIADB) ? system.stack().mariaDb().connect(db) : system.stack().postgres().connect(db);
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                row.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(db + ": " + sql + ": " + e.getMessage(), e);
        }
    }
}
