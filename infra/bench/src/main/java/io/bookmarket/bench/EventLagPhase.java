package io.bookmarket.bench;

import io.bookmarket.stack.PostgresServer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.bookmarket.bench.Bench.progress;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;

/** Event lag: a request's commit -> publisher-view, under a steady (open-model) POST load. */
final class EventLagPhase {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private final BenchOptions options;
    private final SystemUnderTest sut;

    EventLagPhase(BenchOptions options, SystemUnderTest sut) {
        this.options = options;
        this.sut = sut;
    }

    /**
     * One steady run at {@code rate} POST/s ({@code run} numbers the runs of this bench). Every POST is publisher100's:
     * the view's rows of this run are those with a request id above the highest one stored before it (nothing else is
     * filed meanwhile).
     */
    Map<String, Object> run(double rate, int run) throws Exception {
        sut.warmJit();
        sut.awaitViewCaughtUp("event lag");
        long idsAbove;
        try (Connection c = sut.system().stack().postgres().connect("regrequest"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM reg_request")) {
            rs.next();
            idsAbove = rs.getLong(1);
        }
        sut.tokens().validFor(options.duration.plusSeconds(30), BenchTokens.PUBLISHER);
        Map<Long, Instant> answered = new ConcurrentHashMap<>();
        progress("event lag: POST at a steady %.0f req/s for %d s", rate, options.duration.toSeconds());
        // CPU per POST at a steady rate: the same batching in every run, unlike a closed loop whose throughput varies.
        CpuAccounting.Mark cpuFrom = sut.cpu().mark();
        LoadGenerator.Outcome load = LoadGenerator.fixedRate("POST /regRequests (steady)", rate, options.duration,
                status -> status == 201, (worker, seq) -> {
                    HttpResponse<String> response = sut.postRequest(seq + 1);
                    Instant at = Instant.now();
                    Matcher id = ID.matcher(response.body());
                    if (response.statusCode() == 201 && id.find()) {
                        answered.put(Long.parseLong(id.group(1)), at);
                    }
                    return response.statusCode();
                });
        // Read the view's own timestamps once everything arrived (the poll below only waits for completion; the lag
        // comes from the rows: updated_at is when publisher-view applied the event, last_event_at the event's
        // occurredAt, written by regrequest-service in the transaction that commits it; one clock, one machine).
        PostgresServer postgres = sut.system().stack().postgres();
        String rows = "FROM publpage WHERE req_id > " + idsAbove;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long seen = 0;
        try (Connection c = postgres.connect("publisherview"); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) " + rows)) {
                    rs.next();
                    seen = rs.getLong(1);
                }
                if (seen >= answered.size()) {
                    break;
                }
                Thread.sleep(200);
            }
            Map<String, Object> cpu = sut.cpu().perOperationFrom(cpuFrom, answered.size());
            Histogram occurredToView = new Histogram(LoadGenerator.MAX_MICROS, 3);
            Histogram answerToView = new Histogram(LoadGenerator.MAX_MICROS, 3);
            Histogram occurredToRelay = new Histogram(LoadGenerator.MAX_MICROS, 3);
            Histogram relayToView = new Histogram(LoadGenerator.MAX_MICROS, 3);
            Map<Long, Instant> relayed = relayTimes();
            try (ResultSet rs = s.executeQuery("SELECT req_id, last_event_at, updated_at " + rows)) {
                while (rs.next()) {
                    Instant occurred = rs.getObject(2, OffsetDateTime.class).toInstant();
                    Instant applied = rs.getObject(3, OffsetDateTime.class).toInstant();
                    occurredToView.recordValue(clamp(Duration.between(occurred, applied)));
                    Instant relay = relayed.get(rs.getLong(1));
                    if (relay != null) {
                        occurredToRelay.recordValue(clamp(Duration.between(occurred, relay)));
                        relayToView.recordValue(clamp(Duration.between(relay, applied)));
                    }
                    Instant answer = answered.get(rs.getLong(1));
                    if (answer != null) {
                        answerToView.recordValue(clamp(Duration.between(answer, applied)));
                    }
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("load", load.json());
            m.put("filed", answered.size());
            m.put("inView", seen);
            m.put("occurredToViewMs", LoadGenerator.percentiles(occurredToView));
            m.put("occurredToViewNote", "occurredAt (set in regrequest-service's storing transaction, just before its commit) "
                    + "-> updated_at of the publpage row (set by publisher-view in the applying transaction)");
            m.put("answerToViewMs", LoadGenerator.percentiles(answerToView));
            m.put("answerToViewNote", "201 received by the load generator (after regrequest-service's commit) -> updated_at of "
                    + "the publpage row; clamped at 0");
            m.put("occurredToRelayMs", LoadGenerator.percentiles(occurredToRelay));
            m.put("relayToViewMs", LoadGenerator.percentiles(relayToView));
            m.put("relayNote", "relay = the Kafka record's timestamp, which the outbox EventRouter sets to the Debezium "
                    + "event's ts_ms (when the connector processed the change; millisecond precision)");
            m.put("publisherViewLagTimer", lagTimer());
            m.put("cpuUntilApplied", cpu);
            m.put("cpuNote", "CPU per POST of every process, from the first POST until the view had them all");
            progress("event lag: occurredAt -> relayed p50 %s ms, p99 %s ms; relayed -> view p50 %s ms, p99 %s ms",
                    LoadGenerator.ms(occurredToRelay.getValueAtPercentile(50)), LoadGenerator.ms(occurredToRelay.getValueAtPercentile(99)),
                    LoadGenerator.ms(relayToView.getValueAtPercentile(50)), LoadGenerator.ms(relayToView.getValueAtPercentile(99)));
            progress("event lag over %d events (%.0f req/s steady): occurredAt -> view p50 %s ms, p99 %s ms, max %s ms; "
                            + "201 -> view p50 %s ms, p99 %s ms", occurredToView.getTotalCount(), rate,
                    LoadGenerator.ms(occurredToView.getValueAtPercentile(50)), LoadGenerator.ms(occurredToView.getValueAtPercentile(99)),
                    LoadGenerator.ms(occurredToView.getMaxValue()), LoadGenerator.ms(answerToView.getValueAtPercentile(50)),
                    LoadGenerator.ms(answerToView.getValueAtPercentile(99)));
            return m;
        }
    }

    /** When Debezium relayed each RegRequest event (record timestamp), by request id (the record key). */
    private Map<Long, Instant> relayTimes() {
        Map<Long, Instant> times = new HashMap<>();
        Properties props = new Properties();
        props.put("bootstrap.servers", sut.system().stack().kafka().bootstrapServers());
        props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        props.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        try (var consumer = new KafkaConsumer<String, byte[]>(props)) {
            var partitions = consumer.partitionsFor("outbox.event.RegRequest").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && record.key().matches("\\d+")) {
                        times.put(Long.parseLong(record.key()), Instant.ofEpochMilli(record.timestamp()));
                    }
                }
            }
        } catch (RuntimeException e) {
            progress("could not read the relay times: %s", e);
        }
        return times;
    }

    /** publisher-view's own lag timer (occurredAt -> after its commit), as it exports it (whole run, all events). */
    private Map<String, String> lagTimer() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            String metrics = sut.http().send(HttpRequest.newBuilder(URI.create(sut.system().url(PUBLISHER_VIEW) + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            metrics.lines().filter(l -> l.startsWith("publpage_event_lag_seconds") && l.contains("RegRequested"))
                    .forEach(l -> {
                        int space = l.lastIndexOf(' ');
                        m.put(l.substring(0, space), l.substring(space + 1));
                    });
        } catch (IOException | InterruptedException e) {
            m.put("error", e.toString());
        }
        return m;
    }

    private static long clamp(Duration d) {
        return Math.min(LoadGenerator.MAX_MICROS, Math.max(0, d.toNanos() / 1000));
    }
}
