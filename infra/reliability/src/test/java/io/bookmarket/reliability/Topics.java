package io.bookmarket.reliability;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Reading whole topics, producing raw records, and moving consumer groups, against the real broker. */
final class Topics {

    static final String REGREQUEST_TOPIC = "outbox.event.RegRequest";
    static final String APPROVE_TOPIC = "outbox.event.Approve";
    /** Records this suite produced on purpose (poison): left out of the exactly-once bookkeeping. */
    static final String TEST_HEADER = "reliability-test";

    /** Consumer group -> the topics it consumes (as configured in each service's application.properties). */
    static final Map<String, List<String>> GROUPS = Map.of(
            "regrequest-service", List.of(APPROVE_TOPIC),
            "approval-service", List.of(REGREQUEST_TOPIC),
            "publisher-view", List.of(REGREQUEST_TOPIC, APPROVE_TOPIC));

    record Rec(String topic, String key, String eventId, String eventType, String value, Map<String, String> headers) {
    }

    private final String bootstrap;

    Topics(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Every record of a topic, from the beginning to its current end. */
    List<Rec> readAll(String topic) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<Rec> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> headers = new HashMap<>();
                    for (Header h : r.headers()) {
                        headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                    }
                    records.add(new Rec(r.topic(), r.key(), headers.get("eventId"), headers.get("eventType"), r.value(), headers));
                }
            }
        }
        return records;
    }

    /** The records the services' outboxes published (what this suite produced itself is left out). */
    List<Rec> outboxEvents(String topic) {
        return readAll(topic).stream().filter(r -> !r.headers().containsKey(TEST_HEADER)).toList();
    }

    void produce(List<ProducerRecord<String, String>> records) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (ProducerRecord<String, String> record : records) {
                producer.send(record).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("Could not produce test records: " + e.getMessage(), e);
        }
    }

    /** Moves every group to offset 0 of each partition of its topics (the groups' consumers must be stopped). */
    void resetGroupsToZero() {
        try (Admin admin = admin()) {
            for (Map.Entry<String, List<String>> group : GROUPS.entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
                for (TopicPartition p : partitions(admin, group.getValue())) {
                    zero.put(p, new OffsetAndMetadata(0));
                }
                admin.alterConsumerGroupOffsets(group.getKey(), zero).all().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("Could not reset the consumer groups: " + e.getMessage(), e);
        }
    }

    /**
     * Who consumes what now: for each service's consumer group, its members (one per channel of a replica, by member
     * id) and the partitions each one is assigned, e.g. {@code outbox.event.RegRequest-0}.
     */
    Map<String, Map<String, List<String>>> assignments() {
        try (Admin admin = admin()) {
            Map<String, Map<String, List<String>>> groups = new TreeMap<>();
            admin.describeConsumerGroups(GROUPS.keySet()).all().get(30, TimeUnit.SECONDS).forEach((group, description) -> {
                Map<String, List<String>> members = new TreeMap<>();
                description.members().forEach(member -> members.put(member.consumerId(),
                        member.assignment().topicPartitions().stream().map(TopicPartition::toString).sorted().toList()));
                groups.put(group, members);
            });
            return groups;
        } catch (Exception e) {
            throw new IllegalStateException("Could not describe the consumer groups: " + e.getMessage(), e);
        }
    }

    /** Sum over every group and partition of (end offset - committed offset): 0 when every consumer caught up. */
    long totalLag() {
        try (Admin admin = admin()) {
            long lag = 0;
            for (Map.Entry<String, List<String>> group : GROUPS.entrySet()) {
                List<TopicPartition> partitions = partitions(admin, group.getValue());
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.getKey())
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                for (TopicPartition p : partitions) {
                    OffsetAndMetadata c = committed.get(p);
                    lag += ends.get(p).offset() - (c == null ? 0 : c.offset());
                }
            }
            return lag;
        } catch (Exception e) {
            return Long.MAX_VALUE;
        }
    }

    private static List<TopicPartition> partitions(Admin admin, List<String> topics) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, description) ->
                description.partitions().forEach(p -> partitions.add(new TopicPartition(name, p.partition()))));
        return partitions;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30000));
    }
}
