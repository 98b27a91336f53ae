package io.bookmarket.approval;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.stack.testing.TestRelay;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.util.Map;
import java.util.UUID;

/**
 * "Events produced while approval-service was down": a request filed and then cancelled, produced to the topic
 * BEFORE Quarkus boots (a @QuarkusTest cannot restart the app). The service has never seen them; on startup its
 * consumer group must catch up from Kafka. (The separate-process restart is covered by the end-to-end suite.)
 * Declared on every test class, after StackTestResource, so Quarkus boots once.
 */
public class EventsWhileDown implements QuarkusTestResourceLifecycleManager {

    static final long REQUEST = 990_001;
    static final long PUBLISHER = 9_901;
    // Fixed ids: the test class may see this class through another class loader than the one that ran start().
    static final UUID FILED = UUID.fromString("00000000-0000-4000-8000-990001000001");
    static final UUID CANCELED = UUID.fromString("00000000-0000-4000-8000-990001000002");

    @Override
    public Map<String, String> start() {
        // shared() starts the stack if StackTestResource has not yet: either way the broker is up here.
        try (KafkaProducer<String, String> producer = TestRelay.producer(StackTestResource.shared().kafka().bootstrapServers())) {
            Tests.send(producer, Long.toString(REQUEST), Tests.regRequestPayload("RegRequested", REQUEST, PUBLISHER).toString(),
                    Map.of("eventId", FILED.toString(), "eventType", "RegRequested"));
            Tests.send(producer, Long.toString(REQUEST), Tests.regRequestPayload("ReqCanceled", REQUEST, PUBLISHER).toString(),
                    Map.of("eventId", CANCELED.toString(), "eventType", "ReqCanceled"));
        }
        return Map.of();
    }

    @Override
    public int order() {
        // After StackTestResource (order 0).
        return 1;
    }

    @Override
    public void stop() {
    }
}
