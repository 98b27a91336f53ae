package io.bookmarket.stack.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Direct SQL on a service's database in the test stack ({@link StackTestResource#shared()}): what a test checks. */
public final class TestDatabase {

    private final String database;
    private final boolean mariaDb;

    private TestDatabase(String database, boolean mariaDb) {
        this.database = database;
        this.mariaDb = mariaDb;
    }

    public static TestDatabase postgres(String database) {
        return new TestDatabase(database, false);
    }

    public static TestDatabase mariaDb(String database) {
        return new TestDatabase(database, true);
    }

    public Connection connect() throws SQLException {
        return mariaDb ? StackTestResource.shared().mariaDb().connect(database)
                : StackTestResource.shared().postgres().connect(database);
    }

    /** Each row as column label to value, in column order. */
    public List<Map<String, Object>> query(String sql, Object... params) {
        return run(sql, params, rs -> {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                row.put(rs.getMetaData().getColumnLabel(c), rs.getObject(c));
            }
            return row;
        });
    }

    /** Each row as its column values. */
    public List<List<Object>> rows(String sql, Object... params) {
        return run(sql, params, rs -> {
            Object[] row = new Object[rs.getMetaData().getColumnCount()];
            for (int c = 0; c < row.length; c++) {
                row[c] = rs.getObject(c + 1);
            }
            return Arrays.asList(row);
        });
    }

    /** The first column of the first row as a number, e.g. of {@code SELECT count(*) ...}. */
    public long count(String sql, Object... params) {
        return ((Number) rows(sql, params).getFirst().getFirst()).longValue();
    }

    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> run(String sql, Object[] params, RowReader<T> reader) {
        try (Connection db = connect(); PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                // MariaDB's driver takes UUIDs as text; PostgreSQL's binds them as uuid.
                statement.setObject(i + 1, mariaDb && params[i] instanceof UUID uuid ? uuid.toString() : params[i]);
            }
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(reader.read(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
