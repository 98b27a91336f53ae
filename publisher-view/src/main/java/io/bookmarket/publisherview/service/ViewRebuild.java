package io.bookmarket.publisherview.service;

import io.bookmarket.support.messaging.EventConsumption;
import io.bookmarket.support.messaging.EventHandlers;
import io.bookmarket.support.messaging.IncomingEvent;
import io.bookmarket.support.messaging.PoisonEventException;
import io.bookmarket.support.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.agroal.api.AgroalDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Rebuilds the view from the topics, from offset zero: empties publpage and processed_event, then reads both
 * topics from the beginning up to their end offsets with a reader of its own and applies every event through
 * {@link PublpageProjection} (one transaction per event, like the consumers).
 * <p>
 * The live consumers keep running and keep their committed offsets: an event applied by both is recorded once
 * (processed-event log), and the merge does not depend on order, so the two interleave safely. Only events that
 * were applied before the view was emptied need replaying; they all sit below the end offsets taken afterwards.
 * <p>
 * One rebuild at a time across every replica: a rebuild holds a PostgreSQL advisory lock ({@link #LOCK}) on a
 * connection of its own for as long as it runs, and a rebuild that cannot take it at once is refused with 409. The
 * lock lives in the database session, so a replica that dies mid-rebuild releases it with its connection.
 */
@ApplicationScoped
public class ViewRebuild {

    private static final Logger LOG = Logger.getLogger(ViewRebuild.class);
    private static final Duration POLL = Duration.ofMillis(500);

    public record Report(long rowsCleared, long eventsForgotten, Map<String, Long> recordsRead, long eventsApplied,
                         long duplicatesSkipped, long poisonSkipped, long tookMs) {
    }

    @Inject
    EntityManager em;

    @Inject
    PublpageProjection projection;

    @Inject
    EventConsumption consumption;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "mp.messaging.incoming.regrequest-events.topic")
    String regRequestTopic;

    @ConfigProperty(name = "mp.messaging.incoming.approve-events.topic")
    String approveTopic;

    @ConfigProperty(name = "publisher-view.rebuild.timeout", defaultValue = "5m")
    Duration timeout;

    /** The advisory lock key of "a rebuild is running" in publisher-view's database (any replica). */
    public static final long LOCK = 0x70_75_62_6c_76_69_65_77L; // "publview"

    @Inject
    AgroalDataSource dataSource;

    public Report rebuild() {
        try (Connection session = dataSource.getConnection()) {
            if (!tryLock(session)) {
                throw new ProblemException(409, "rebuild-running", "A rebuild is already running",
                        "The view is being rebuilt (by this or another replica); wait for that rebuild to finish.");
            }
            try {
                return rebuildLocked();
            } finally {
                unlock(session);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The rebuild lock could not be taken or released: " + e.getMessage(), e);
        }
    }

    private static boolean tryLock(Connection session) throws SQLException {
        try (Statement statement = session.createStatement();
                ResultSet locked = statement.executeQuery("SELECT pg_try_advisory_lock(" + LOCK + ")")) {
            locked.next();
            return locked.getBoolean(1);
        }
    }

    private static void unlock(Connection session) {
        try (Statement statement = session.createStatement()) {
            statement.execute("SELECT pg_advisory_unlock(" + LOCK + ")");
        } catch (SQLException e) {
            // A connection that cannot run this is broken: the pool drops it, and the lock ends with its session.
            LOG.warnf("The rebuild lock could not be released explicitly (%s); it ends with the database session", e.getMessage());
        }
    }

    private Report rebuildLocked() {
        long start = System.nanoTime();
        long[] cleared = QuarkusTransaction.requiringNew().call(this::clear);
        LOG.infof("Rebuilding the publishers' view: cleared %d rows and %d processed-event ids", cleared[0], cleared[1]);
        Map<String, Long> read = new LinkedHashMap<>();
        long[] outcomes = new long[3];
        replay(regRequestTopic, projection.requestEvents(), read, outcomes);
        replay(approveTopic, projection.reviewEvents(), read, outcomes);
        Report report = new Report(cleared[0], cleared[1], read, outcomes[0], outcomes[1], outcomes[2],
                Duration.ofNanos(System.nanoTime() - start).toMillis());
        LOG.infof("Publishers' view rebuilt: %s", report);
        return report;
    }

    /**
     * TRUNCATE waits for consumers' transactions in flight, so nothing applied before it survives it half-way. It
     * locks the tables in the consumers' order (processed_event, then publpage): in the opposite order a consumer
     * between its two statements and the TRUNCATE would wait for each other (a deadlock that could abort the rebuild).
     */
    private long[] clear() {
        long rows = count("publpage");
        long events = count("processed_event");
        em.createNativeQuery("TRUNCATE processed_event, publpage").executeUpdate();
        return new long[] { rows, events };
    }

    private long count(String table) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM " + table).getSingleResult()).longValue();
    }

    private void replay(String topic, EventHandlers handlers, Map<String, Long> read, long[] outcomes) {
        long records = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            List<TopicPartition> partitions = reader.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = reader.endOffsets(partitions, timeout);
            while (partitions.stream().anyMatch(p -> reader.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new ProblemException(504, "rebuild-timeout", "Rebuild timed out",
                            "Topic " + topic + " could not be read to its end within " + timeout
                                    + "; the live consumers keep filling the view, run the rebuild again to complete it.");
                }
                for (ConsumerRecord<String, String> record : reader.poll(POLL)) {
                    if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue; // newer than the rebuild: the live consumer applies it
                    }
                    records++;
                    try {
                        if (consumption.applyOnce(IncomingEvent.from(record, handlers.types()), handlers)) {
                            outcomes[0]++;
                        } else {
                            outcomes[1]++;
                        }
                    } catch (PoisonEventException e) {
                        // Already on the dead-letter topic since its first delivery.
                        LOG.debugf("Rebuild skips an unprocessable message: %s", e.getMessage());
                        outcomes[2]++;
                    }
                }
            }
        }
        read.put(topic, records);
    }
}
