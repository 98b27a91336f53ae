package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static io.bookmarket.reliability.Topics.APPROVE_TOPIC;
import static io.bookmarket.reliability.Topics.REGREQUEST_TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/** Poison messages on both topics: every consumer dead-letters them with the reason and keeps going. */
@Order(2)
class PoisonMessagesIT extends Scenario {

    @Test
    @Order(1)
    void poisonMessagesGoToTheDeadLetterTopicsWithTheReasonAndConsumersKeepGoing() {
        Map<String, String> dlqs = DEAD_LETTER_TOPICS;
        Map<String, Double> metricsBefore = deadLetterMetrics();
        List<ProducerRecord<String, String>> poison = new ArrayList<>();
        Map<String, String> expectedReasons = new LinkedHashMap<>();
        for (String topic : List.of(REGREQUEST_TOPIC, APPROVE_TOPIC)) {
            String type = topic.equals(REGREQUEST_TOPIC) ? "RegRequested" : "Approved";
            poison.add(poison(topic, "not-json", type, "this is {not JSON", expectedReasons));
            poison.add(poison(topic, "wrong-schema", type, "{\"foo\": 1, \"id\": \"abc\"}", expectedReasons));
            poison.add(poison(topic, "unknown-type", "Exploded", "{\"id\": 1, \"reqReqId\": 1, \"publId\": 1}", expectedReasons));
        }
        topics.produce(poison);
        // The consumers keep going: a request filed and approved after the poison flows through everything.
        long after = file();
        approve(awaitConfirmedTicket(after));
        awaitConsistent("after poison", Set.of(after));
        assertThat(db.requests().get(after)).isEqualTo("Approved");

        int landed = 0;
        for (Map.Entry<String, String> dlq : dlqs.entrySet()) {
            Map<String, String> reasons = new TreeMap<>();
            await().atMost(EVENTUALLY).until(() -> {
                reasons.clear();
                topics.readAll(dlq.getKey()).stream().filter(r -> expectedReasons.containsKey(r.key()))
                        .forEach(r -> reasons.put(r.key(), r.headers().get("dead-letter-reason")));
                return reasons.size() == 3;
            });
            reasons.forEach((key, reason) -> print("poison: %-40s -> %s, reason: %s", key, dlq.getKey(), reason));
            assertThat(reasons.values()).allSatisfy(reason -> assertThat(reason).isNotBlank());
            assertThat(reasons.keySet()).allMatch(k -> k.startsWith(dlq.getValue()));
            landed += reasons.size();
        }
        Map<String, Double> metricsAfter = await().atMost(EVENTUALLY).until(Scenario::deadLetterMetrics,
                m -> m.keySet().stream().allMatch(k -> m.get(k) - metricsBefore.getOrDefault(k, 0.0) >= 3.0) && m.size() == 4);
        metricsAfter.forEach((k, v) -> print("poison: metric bookmarket_events_dead_lettered_total %s: +%.0f", k,
                v - metricsBefore.getOrDefault(k, 0.0)));
        print("poison: %d poison records produced on 2 topics, %d dead-lettered by 4 consumers (with reasons), consumers kept going",
                poison.size(), landed);
        assertThat(landed).isEqualTo(12);
    }

    private static ProducerRecord<String, String> poison(String topic, String kind, String type, String value,
            Map<String, String> expected) {
        String key = topic + "/" + kind + "/" + UUID.randomUUID();
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
        record.headers().add("eventId", UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        record.headers().add("eventType", type.getBytes(StandardCharsets.UTF_8));
        record.headers().add(Topics.TEST_HEADER, "poison".getBytes(StandardCharsets.UTF_8));
        expected.put(key, kind);
        return record;
    }
}
