package io.bookmarket.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bookmarket.contracts.Contracts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stack itself: real PostgreSQL + Kafka + Connect with the Debezium outbox connector registered from the
 * project's connector JSON; rows written the way the Quarkus outbox extension writes them reach the routed
 * topic, and nothing is lost across a stop and restart on the same data directory.
 */
class StackTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "outboxtest";
    private static final Map<String, String> TEST_CONNECTOR = Map.of(
            "database.dbname", DB, "slot.name", "stacktest_outbox", "publication.name", "stacktest_outbox",
            "topic.prefix", "stacktest");

    private final Path workDir = Path.of("target/stack-test");

    @Test
    void outboxRowsReachTheRoutedTopicAndSurviveARestart() throws Exception {
        Dirs.deleteRecursively(workDir);
        List<Event> written = new ArrayList<>();
        try (Stack stack = Stack.start(Stack.options(workDir).databases(DB).withConnect(true).dropSlotsOnClose(false))) {
            printStartup("first start", stack);
            createOutboxTable(stack);
            stack.registerConnector(Contracts.connector("regrequest-outbox"), TEST_CONNECTOR);
            written.addAll(insertInOneTransaction(stack, 1, 20));
            assertDelivered(stack, written);
        }
        // What a user reads when something goes wrong: the broker's and the worker's own logs.
        assertThat(Files.readString(workDir.resolve("logs/kafka.log"))).contains("Kafka Server started");
        assertThat(Files.readString(workDir.resolve("logs/kafka-connect.log")))
                .contains("Kafka Connect started").contains("regrequest-outbox");
        try (Stack stack = Stack.start(Stack.options(workDir).databases(DB).withConnect(true).dropSlotsOnClose(true))) {
            printStartup("restart on the same data", stack);
            stack.registerConnector(Contracts.connector("regrequest-outbox"), TEST_CONNECTOR);
            written.addAll(insertInOneTransaction(stack, 21, 10));
            assertDelivered(stack, written);
            assertThat(stack.postgres().replicationSlots()).contains("stacktest_outbox");
            Stack.class.getName(); // closing below drops the slot
        }
        try (Stack stack = Stack.start(Stack.options(workDir))) {
            assertThat(stack.postgres().replicationSlots()).as("slots left behind").isEmpty();
        }
    }

    /**
     * The same through MariaDB's binlog with the approval outbox connector: rows committed before and after a
     * SIGKILL of MariaDB and an orderly restart of the whole stack all reach the topic.
     */
    @Test
    void mariaDbOutboxRowsReachTheRoutedTopicThroughTheBinlogAcrossACrashAndARestart() throws Exception {
        Path dir = Path.of("target/stack-mariadb");
        Dirs.deleteRecursively(dir);
        Map<String, String> connector = Map.of("database.include.list", DB, "table.include.list", DB + ".outboxevent",
                "topic.prefix", "stacktest", "schema.history.internal.kafka.topic", "stacktest.schema-history");
        List<Event> written = new ArrayList<>();
        try (Stack stack = Stack.start(Stack.options(dir).mariaDbDatabases(DB).withConnect(true))) {
            printStartup("with MariaDB", stack);
            try (Connection c = stack.mariaDb().connect(DB); Statement s = c.createStatement()) {
                for (String durable : List.of("innodb_flush_log_at_trx_commit", "sync_binlog")) {
                    try (ResultSet rs = s.executeQuery("SELECT @@" + durable)) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt(1)).as(durable).isEqualTo(1);
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT @@binlog_format, @@binlog_row_image, @@log_bin")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3))).containsExactly("ROW", "FULL", "1");
                }
                s.execute(MARIADB_OUTBOX_TABLE);
            }
            stack.registerConnector(Contracts.connector("approval-outbox"), connector);
            // Debezium replays its schema history in order: one partition, whatever the broker's default.
            assertThat(stack.kafka().partitions("stacktest.schema-history")).isOne();
            written.addAll(insertInOneTransaction(() -> stack.mariaDb().connect(DB), 1, 20));
            assertDelivered(stack, written);

            stack.kill(Stack.Component.MARIADB);
            stack.restart(Stack.Component.MARIADB);
            written.addAll(insertInOneTransaction(() -> stack.mariaDb().connect(DB), 21, 10));
            assertDelivered(stack, written);
        }
        assertThat(Files.readString(dir.resolve("logs/mariadb.log"))).contains("ready for connections");
        try (Stack stack = Stack.start(Stack.options(dir).mariaDbDatabases(DB).withConnect(true))) {
            stack.registerConnector(Contracts.connector("approval-outbox"), connector);
            written.addAll(insertInOneTransaction(() -> stack.mariaDb().connect(DB), 31, 10));
            assertDelivered(stack, written);
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
                .as("processes left running").isZero();
    }

    @Test
    void aServiceTestsStackServesADurableDatabaseAndABroker() throws Exception {
        Path dir = Path.of("target/stack-fast");
        Dirs.deleteRecursively(dir);
        try (Stack stack = Stack.start(Stack.options(dir).databases("svc"))) {
            printStartup("PostgreSQL + Kafka (a service test's stack)", stack);
            try (Connection c = stack.postgres().connect("svc"); Statement s = c.createStatement()) {
                for (String durable : List.of("fsync", "synchronous_commit")) {
                    try (ResultSet rs = s.executeQuery("SHOW " + durable)) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).as(durable).isEqualTo("on");
                    }
                }
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).as("brokers").hasSize(1);
            }
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
                .as("processes left running").isZero();
    }

    private static void printStartup(String what, Stack stack) {
        StringBuilder line = new StringBuilder("Startup (" + what + "):");
        stack.startupTimes().forEach((k, v) -> line.append(' ').append(k).append('=').append(v.toMillis()).append("ms"));
        System.out.println(line);
    }

    /** The services' own outbox migrations (infra/service-support), so this test relays the table they write. */
    private static final Path OUTBOX_MIGRATIONS = Path.of("../service-support/src/main/resources/db/outbox");
    private static final String OUTBOX_TABLE = migration("postgresql");
    private static final String MARIADB_OUTBOX_TABLE = migration("mariadb");

    private static String migration(String engine) {
        try {
            return Files.readString(OUTBOX_MIGRATIONS.resolve(engine).resolve("V0_2__outboxevent.sql"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void createOutboxTable(Stack stack) throws Exception {
        try (Connection c = stack.postgres().connect(DB)) {
            c.createStatement().execute(OUTBOX_TABLE);
        }
    }

    interface Connecting {
        Connection connect() throws Exception;
    }

    private static List<Event> insertInOneTransaction(Stack stack, int firstId, int count) throws Exception {
        return insertInOneTransaction(() -> stack.postgres().connect(DB), firstId, count);
    }

    /** Inserts and deletes in one transaction, as the extension does with remove-after-insert. */
    private static List<Event> insertInOneTransaction(Connecting database, int firstId, int count) throws Exception {
        List<Event> events = new ArrayList<>();
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO outboxevent (id, aggregatetype, aggregateid, type, timestamp, payload) VALUES (?, 'RegRequest', ?, ?, ?, ?)");
                    PreparedStatement delete = c.prepareStatement("DELETE FROM outboxevent WHERE id = ?")) {
                for (int id = firstId; id < firstId + count; id++) {
                    UUID eventId = UUID.randomUUID();
                    String payload = JSON.writeValueAsString(Map.of("id", id, "bookId", 99, "bookNm", "book " + id,
                            "publId", 100, "regYn", "RegRequested", "occurredAt", Instant.now().toString()));
                    boolean mariaDb = c.getMetaData().getDatabaseProductName().contains("MariaDB");
                    insert.setObject(1, mariaDb ? eventId.toString() : eventId);
                    insert.setString(2, Integer.toString(id));
                    insert.setString(3, "RegRequested");
                    insert.setTimestamp(4, Timestamp.from(Instant.now()));
                    insert.setString(5, payload);
                    insert.executeUpdate();
                    delete.setObject(1, mariaDb ? eventId.toString() : eventId);
                    delete.executeUpdate();
                    events.add(new Event(eventId.toString(), Integer.toString(id), payload));
                }
            }
            c.commit();
        }
        return events;
    }

    private static void assertDelivered(Stack stack, List<Event> expected) throws Exception {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "stack-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Contracts.REGREQUEST_TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.stream().map(r -> header(r, "eventId")).distinct().count() < expected.size()
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        // At least once: a crash may repeat a record, never lose one. Order holds within a partition (the key, the
        // aggregate id, picks it), which is the order consumers rely on; across partitions there is none.
        Map<String, ConsumerRecord<String, String>> byEventId = new java.util.LinkedHashMap<>();
        records.forEach(r -> byEventId.putIfAbsent(header(r, "eventId"), r));
        List<String> expectedIds = expected.stream().map(Event::eventId).toList();
        assertThat(byEventId.keySet()).containsExactlyInAnyOrderElementsOf(expectedIds);
        Map<Integer, List<String>> byPartition = new java.util.TreeMap<>();
        byEventId.values().forEach(r -> byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(header(r, "eventId")));
        byPartition.forEach((partition, ids) -> assertThat(ids).as("order in partition " + partition)
                .containsExactlyElementsOf(expectedIds.stream().filter(ids::contains).toList()));
        assertThat(byPartition).as("partitions the events went to").hasSizeGreaterThan(1);
        for (Event event : expected) {
            ConsumerRecord<String, String> record = byEventId.get(event.eventId());
            assertThat(record.key()).isEqualTo(event.aggregateId());
            assertThat(header(record, "eventType")).isEqualTo("RegRequested");
            JsonNode payload = JSON.readTree(record.value());
            assertThat(payload).isEqualTo(JSON.readTree(event.payload()));
            Contracts.assertConforms("RegRequested", payload);
        }
        assertThat(stack.kafka().partitions(Contracts.REGREQUEST_TOPIC)).isEqualTo(KafkaBroker.PARTITIONS);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private record Event(String eventId, String aggregateId, String payload) {
    }
}
