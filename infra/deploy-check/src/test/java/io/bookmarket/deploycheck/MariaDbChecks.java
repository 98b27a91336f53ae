package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What approval-service's MariaDB needs wherever it runs (Docker Compose, Kubernetes), shared by {@link ComposeTest}
 * and {@link K8sManifestsTest}: the server options Debezium's MariaDB connector and durability depend on, a pinned
 * 11.4 image, and Debezium's grants.
 */
final class MariaDbChecks {

    /** The privileges Debezium's MariaDB connector needs (its documentation; the local stack grants the same). */
    static final Set<String> DEBEZIUM_PRIVILEGES = Set.of("SELECT", "RELOAD", "SHOW DATABASES", "REPLICATION SLAVE",
            "BINLOG MONITOR");

    private MariaDbChecks() {
    }

    static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(a -> list.add(a.asText()));
        return list;
    }

    /**
     * Server options from command-line arguments, keys normalised as MariaDB does ({@code --sync-binlog=1} and
     * {@code --sync_binlog=1} are the same option): key without the dashes, {@code -} as {@code _}; a bare flag has
     * the value {@code ""}.
     */
    static Map<String, String> options(List<String> args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                continue; // e.g. a leading "mariadbd"
            }
            String[] kv = arg.substring(2).split("=", 2);
            options.put(kv[0].replace('-', '_').toLowerCase(Locale.ROOT), kv.length == 2 ? kv[1] : "");
        }
        return options;
    }

    /** Binlog for Debezium (on, ROW, FULL row images, a server id, strict GTIDs, kept long enough), durable commits. */
    static void checkServerOptions(List<String> args, String what) {
        Map<String, String> o = options(args);
        assertThat(o).as("%s: binlog on (log_bin)", what).containsKey("log_bin");
        assertThat(o).as("%s: binlog not switched off again", what).doesNotContainKeys("skip_log_bin", "disable_log_bin");
        assertThat(o.get("binlog_format")).as("%s binlog_format", what).isEqualToIgnoringCase("ROW");
        assertThat(o.get("binlog_row_image")).as("%s binlog_row_image", what).isEqualToIgnoringCase("FULL");
        assertThat(serverId(args)).as("%s server_id", what).isPositive();
        assertThat(o.get("gtid_strict_mode")).as("%s gtid_strict_mode", what).isIn("ON", "on", "1");
        assertThat(o.get("innodb_flush_log_at_trx_commit")).as("%s innodb_flush_log_at_trx_commit (durable)", what)
                .isEqualTo("1");
        assertThat(o.get("sync_binlog")).as("%s sync_binlog (durable)", what).isEqualTo("1");
        assertThat(o.get("character_set_server")).as("%s character_set_server", what).isEqualTo("utf8mb4");
        String expire = o.get("binlog_expire_logs_seconds");
        assertThat(expire).as("%s binlog_expire_logs_seconds (bounded binlog retention)", what).isNotNull().matches("\\d+");
        assertThat(Long.parseLong(expire)).as("%s: binlogs kept at least a day (a stopped connector resumes)", what)
                .isGreaterThanOrEqualTo(86_400);
    }

    static int serverId(List<String> args) {
        String id = options(args).get("server_id");
        assertThat(id).as("server_id in " + args).isNotNull().matches("\\d+");
        return Integer.parseInt(id);
    }

    /** The official image, an exact 11.4.x patch release (the local stack runs 11.4 too), never a moving tag. */
    static void checkImage(String image, String what) {
        assertThat(image).as(what + " image").matches("(docker\\.io/(library/)?)?mariadb:11\\.4\\.\\d+");
    }

    /**
     * {@code GRANT <privileges> ON *.* TO <user>@'%'} for Debezium's user, with every privilege its connector needs;
     * {@code user} is the SQL text naming the user ({@code 'debezium'}, or a shell expression in a script).
     */
    static void checkDebeziumGrant(String sql, String user, String what) {
        Matcher m = Pattern.compile("GRANT\\s+([A-Z ,]+?)\\s+ON\\s+\\*\\.\\*\\s+TO\\s+" + Pattern.quote(user) + "@'%'",
                Pattern.CASE_INSENSITIVE).matcher(sql);
        assertThat(m.find()).as("%s grants %s on *.* to %s@'%%'", what, DEBEZIUM_PRIVILEGES, user).isTrue();
        Set<String> granted = new TreeSet<>();
        Arrays.stream(m.group(1).split(",")).map(p -> p.trim().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT))
                .forEach(granted::add);
        assertThat(granted).as("%s: Debezium's privileges", what).containsAll(DEBEZIUM_PRIVILEGES);
        assertThat(granted).as("%s: Debezium only reads", what).doesNotContain("ALL", "ALL PRIVILEGES", "SUPER");
    }

    /** The databases a script or SQL file creates ({@code CREATE DATABASE [IF NOT EXISTS] name}). */
    static Set<String> createdDatabases(String sql) {
        Set<String> databases = new TreeSet<>();
        // Whole-line SQL comments (a statement quoted in one is not run).
        String statements = sql.replaceAll("(?m)^\\s*--.*$", "");
        Matcher m = Pattern.compile("CREATE DATABASE\\s+(?:IF NOT EXISTS\\s+)?([A-Za-z0-9_]+)", Pattern.CASE_INSENSITIVE)
                .matcher(statements);
        while (m.find()) {
            databases.add(m.group(1));
        }
        return databases;
    }

    /** {@code <debezium.version>} of a plugin module's pom: the version the local stack runs. */
    static String pluginVersion(Path pom) {
        Matcher m = Pattern.compile("<debezium\\.version>([^<]+)</debezium\\.version>").matcher(Repo.read(pom));
        assertThat(m.find()).as("debezium.version in %s", pom).isTrue();
        return m.group(1);
    }
}
