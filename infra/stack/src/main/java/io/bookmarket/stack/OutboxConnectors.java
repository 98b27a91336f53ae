package io.bookmarket.stack;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The outbox connectors a stack registered: how each is pointed at this stack's database and Kafka, how long its
 * registration took, and what it leaves behind (the connector in Connect, a PostgreSQL replication slot) for the
 * stack to clean up when it is thrown away.
 */
final class OutboxConnectors {

    private static final System.Logger LOG = System.getLogger(OutboxConnectors.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    // Suppliers: after a restart the stack holds a new engine on the same port.
    private final Supplier<ConnectWorker> connect;
    private final Supplier<KafkaBroker> kafka;
    private final Supplier<PostgresServer> postgres;
    private final Supplier<MariaDbServer> mariaDb;
    private final Duration timeout;
    private final List<String> registered = new CopyOnWriteArrayList<>();
    private final List<String> slots = new CopyOnWriteArrayList<>();

    OutboxConnectors(Supplier<ConnectWorker> connect, Supplier<KafkaBroker> kafka, Supplier<PostgresServer> postgres,
            Supplier<MariaDbServer> mariaDb, Duration timeout) {
        this.connect = connect;
        this.kafka = kafka;
        this.postgres = postgres;
        this.mariaDb = mariaDb;
        this.timeout = timeout;
    }

    /**
     * Registers a connector from its JSON definition with this stack's database coordinates ({@code overrides} may
     * change more) and waits until its task is RUNNING. Returns the configuration sent and how long it took.
     */
    Registration register(String connectorJson, Map<String, String> overrides) {
        long begin = System.nanoTime();
        Map<String, String> local = new LinkedHashMap<>();
        local.put("database.hostname", Ports.HOST);
        if (field(connectorJson, "/config/connector.class").contains(".mariadb.")) {
            local.put("database.port", Integer.toString(mariaDb.get().port()));
            local.put("database.user", MariaDbServer.DEBEZIUM_USER);
            local.put("database.password", MariaDbServer.DEBEZIUM_PASSWORD);
            local.put("schema.history.internal.kafka.bootstrap.servers", kafka.get().bootstrapServers());
        } else {
            local.put("database.port", Integer.toString(postgres.get().port()));
            local.put("database.user", PostgresServer.USER);
            local.put("database.password", "");
        }
        local.putAll(overrides);
        String historyTopic = local.getOrDefault("schema.history.internal.kafka.topic",
                field(connectorJson, "/config/schema.history.internal.kafka.topic"));
        if (!historyTopic.isEmpty()) {
            // Debezium requires exactly one partition here (the history is replayed in order); created first, so that
            // nothing can create it with the broker's default of several.
            kafka.get().createTopicIfAbsent(historyTopic, 1);
        }
        Map<String, String> config = connect.get().registerConnector(connectorJson, local, timeout);
        String name = config.get("name") != null ? config.get("name") : field(connectorJson, "/name");
        String schemaHistory = config.get("schema.history.internal.kafka.topic");
        if (schemaHistory != null) {
            awaitSchemaHistory(name, schemaHistory);
        }
        registered.add(name);
        if (config.get("slot.name") != null) {
            slots.add(config.get("slot.name"));
        }
        return new Registration(name, config, Duration.ofNanos(System.nanoTime() - begin));
    }

    record Registration(String name, Map<String, String> config, Duration took) {
    }

    /** After Connect restarted: waits until every connector registered here runs again. */
    void awaitAllRunning(ConnectWorker worker) {
        registered.forEach(name -> worker.awaitRunning(name, timeout));
    }

    /** Throw-away stacks, while Connect runs: deletes the connectors registered here. */
    void deleteConnectors() {
        registered.forEach(name -> quietly("connector " + name, () -> connect.get().deleteConnector(name)));
    }

    /** Throw-away stacks, once Connect has stopped: drops the replication slots (they would keep WAL forever). */
    void dropSlots() {
        if (!slots.isEmpty()) {
            quietly("replication slot clean-up", () -> LOG.log(System.Logger.Level.INFO,
                    "Dropped replication slots " + postgres.get().dropReplicationSlots(slots)));
        }
    }

    /**
     * RUNNING is not enough for a binlog connector: it fixes its binlog position a moment later, while it snapshots
     * the schema, and with snapshot.mode=no_data anything committed before that would never be relayed. The schema
     * history it writes then says the position is fixed; on later starts it is there already and the connector
     * resumes from its stored offset.
     */
    private void awaitSchemaHistory(String connector, String topic) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!kafka.get().hasRecords(topic)) {
            if (System.nanoTime() > deadline) {
                throw new StackStartException("Connector " + connector, "wrote no schema history to " + topic + " within "
                        + timeout.toSeconds() + " s", connect.get().logFile());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackStartException("Connector " + connector, "wait was interrupted", connect.get().logFile(), e);
            }
        }
    }

    /** One value of a connector definition, by JSON pointer. */
    private static String field(String connectorJson, String pointer) {
        try {
            return JSON.readTree(connectorJson).at(pointer).asText();
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void quietly(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Stopping " + what + " failed: " + e.getMessage(), e);
        }
    }
}
