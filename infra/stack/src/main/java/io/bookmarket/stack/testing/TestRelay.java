package io.bookmarket.stack.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Kafka as the tests play it on the test stack's broker: events produced as Debezium's EventRouter relays them (key =
 * aggregate id, headers {@code eventId} and {@code eventType}, the JSON payload as value), and topics read back (the
 * dead-letter topics).
 */
public final class TestRelay {

    private static KafkaProducer<String, String> producer;

    private TestRelay() {
    }

    /** One event as the relay writes it; returns its new event id. */
    public static UUID sendEvent(String topic, String key, String eventType, String payload) {
        UUID eventId = UUID.randomUUID();
        sendEvent(topic, key, eventId, eventType, payload);
        return eventId;
    }

    public static void sendEvent(String topic, String key, UUID eventId, String eventType, String payload) {
        send(topic, key, payload, Map.of("eventId", eventId.toString(), "eventType", eventType));
    }

    /** Anything, including what the relay would never send (headers missing or wrong, no JSON). */
    public static void send(String topic, String key, String value, Map<String, String> headers) {
        send(producer(), topic, key, value, headers);
    }

    /** Through a producer of the caller's (e.g. one made before the test stack's broker is known). */
    public static void send(KafkaProducer<String, String> producer, String topic, String key, String value,
            Map<String, String> headers) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((name, v) -> record.headers().add(name, v.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("Could not produce to " + topic, e);
        }
    }

    /** A producer that waits for every replica (acks=all) and sends at once. */
    public static KafkaProducer<String, String> producer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
    }

    private static synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            producer = producer(StackTestResource.shared().kafka().bootstrapServers());
        }
        return producer;
    }

    /** Reads the topic from its start until {@code expected} records with this key showed up, or the time is over. */
    public static List<ConsumerRecord<String, String>> read(String topic, String key, int expected, Duration within) {
        return read(topic, key::equals, expected, within);
    }

    /** Reads the topic from its start until {@code expected} records with a matching key showed up, or the time is over. */
    public static List<ConsumerRecord<String, String>> read(String topic, Predicate<String> key, int expected, Duration within) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, StackTestResource.shared().kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            long end = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < end && found.size() < expected) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && key.test(record.key())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    public static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
