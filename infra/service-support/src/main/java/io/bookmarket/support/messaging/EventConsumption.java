package io.bookmarket.support.messaging;

import io.bookmarket.support.Infrastructure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The one shape of every consumer: each record is parsed ({@link IncomingEvent}; a type without a handler is
 * unprocessable), recorded in the processed-event log ({@link ProcessedEventLog}; a duplicate delivery stops there)
 * and handed to its type's handler ({@link EventHandlers}), all in the transaction that applies it.
 * <p>
 * Runs a consumer's work for the records of one poll in one transaction ({@link #applyBatch}): one commit, so one
 * disk flush, per poll instead of per event. If that transaction fails for any reason, the poll's records are applied
 * again one by one ({@link #apply}), each in a transaction of its own, where a failure means:
 * <ul>
 * <li>{@link PoisonEventException}: the message can never be processed; counted
 * ({@code bookmarket_events_dead_lettered_total}) and rethrown, so the channel's failure strategy puts it on the
 * dead-letter topic with the reason and the consumer moves on;</li>
 * <li>the database unavailable (down, restarting, no connection): retried until it is back; the record is
 * not acknowledged meanwhile, so nothing valid ever lands on the dead-letter topic because of an outage;</li>
 * <li>a lost race (version or lock conflict): retried, the next attempt sees the winner's state;</li>
 * <li>anything else: a few retries, then the dead-letter topic (with the reason), so one bad record cannot stall
 * the partition forever.</li>
 * </ul>
 * Once the service is stopping, a failure is the shutdown's (the database pool and Hibernate close while the consumer
 * may still be applying a poll): the poll's remaining records are left neither acknowledged nor dead-lettered, so the
 * replica that takes over the partition applies them.
 * <p>
 * Each record is applied in a span of its own ("apply &lt;eventType&gt;"), a child of the record's consumer span, which
 * continues the trace of the request that wrote the event (its {@code traceparent} header, written by Debezium's
 * EventRouter from the outbox row): the event's work, and every log line it writes, belong to that request's trace.
 * SmallRye gives each record of a batch its consumer span, but runs the batch itself outside every trace.
 */
@ApplicationScoped
public class EventConsumption {

    private static final Logger LOG = Logger.getLogger(EventConsumption.class);
    static final int OTHER_FAILURE_ATTEMPTS = 5;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    @Inject
    MeterRegistry registry;

    @Inject
    EntityManager em;

    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    ProcessedEventLog processedEventLog;

    private Tracer tracer;

    private volatile boolean stopping;

    private Tracer tracer() {
        if (tracer == null) {
            tracer = openTelemetry.getTracer("io.bookmarket.support.messaging");
        }
        return tracer;
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** Thrown instead of a failure once the service is stopping: the record must be redelivered, not dead-lettered. */
    private static final class Stopping extends RuntimeException {
        Stopping(Throwable cause) {
            super("the service is stopping", cause, false, false);
        }
    }

    /**
     * Applies every record of a poll (channel with {@code batch=true}) to its handler, in order, in one new
     * transaction, then acknowledges each record. When that transaction fails, nothing of it is kept and each record
     * is applied on its own ({@link #apply}); a record that must go to the dead-letter topic is negatively
     * acknowledged alone (the channel's dead-letter-queue failure strategy), the others are acknowledged.
     */
    public CompletionStage<Void> applyBatch(String channel, KafkaRecordBatch<String, String> batch, EventHandlers handlers) {
        Consumer<ConsumerRecord<String, String>> work = record -> applyOnce(IncomingEvent.from(record, handlers.types()), handlers);
        List<KafkaRecord<String, String>> records = batch.getRecords();
        if (records.size() > 1) {
            try {
                QuarkusTransaction.requiringNew().run(() -> records.forEach(r -> {
                    ConsumerRecord<String, String> record = consumerRecord(r);
                    traced(channel, record, parent(r, record), () -> {
                        work.accept(record);
                        // Each record's changes are written now and forgotten: otherwise every query of a later record
                        // would first dirty-check all entities of the poll (Hibernate's auto-flush), quadratic in its size.
                        em.flush();
                        em.clear();
                    });
                }));
                return all(records.stream().map(KafkaRecord::ack).toList());
            } catch (RuntimeException e) {
                LOG.debugf("The %d records of a poll on channel %s could not be applied together (%s); applying them one by one",
                        records.size(), channel, rootMessage(e));
            }
        }
        List<CompletionStage<Void>> outcomes = new ArrayList<>(records.size());
        for (KafkaRecord<String, String> record : records) {
            try {
                ConsumerRecord<String, String> consumerRecord = consumerRecord(record);
                traced(channel, consumerRecord, parent(record, consumerRecord), () -> apply(channel, consumerRecord, work));
                outcomes.add(record.ack());
            } catch (Stopping e) {
                ConsumerRecord<String, String> first = consumerRecord(record);
                LOG.infof("Stopping: the rest of a poll on channel %s, from %s-%d@%d, is left for the partition's next consumer",
                        channel, first.topic(), first.partition(), first.offset());
                outcomes.add(new CompletableFuture<>()); // never completes: its offset is never committed
                break;
            } catch (RuntimeException e) {
                outcomes.add(record.nack(e));
            }
        }
        return all(outcomes);
    }

    private static ConsumerRecord<String, String> consumerRecord(KafkaRecord<String, String> record) {
        @SuppressWarnings("unchecked")
        ConsumerRecord<String, String> consumerRecord = (ConsumerRecord<String, String>) record
                .getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow().getRecord();
        return consumerRecord;
    }

    /** The record's consumer span (SmallRye's), else the trace its headers carry, else none. */
    private Context parent(KafkaRecord<String, String> record, ConsumerRecord<String, String> consumerRecord) {
        return record.getMetadata(TracingMetadata.class).map(TracingMetadata::getCurrentContext)
                .orElseGet(() -> openTelemetry.getPropagators().getTextMapPropagator()
                        .extract(Context.root(), consumerRecord, HEADERS));
    }

    /** Runs {@code body} in the span that applies one record; a failure marks the span, and propagates. */
    private void traced(String channel, ConsumerRecord<String, String> record, Context parent, Runnable body) {
        String type = header(record, "eventType");
        Span span = tracer().spanBuilder("apply " + (type == null ? "event" : type))
                .setParent(parent)
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute("messaging.destination.name", record.topic())
                .setAttribute("messaging.consumer.group.name", channel)
                .setAttribute("messaging.kafka.offset", record.offset())
                .setAttribute("messaging.destination.partition.id", Integer.toString(record.partition()))
                .setAttribute("bookmarket.event.id", String.valueOf(header(record, "eventId")))
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            body.run();
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }

    private static final TextMapGetter<ConsumerRecord<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ConsumerRecord<String, String> record) {
            return StreamSupport.stream(record.headers().spliterator(), false).map(Header::key).toList();
        }

        @Override
        public String get(ConsumerRecord<String, String> record, String key) {
            return record == null ? null : header(record, key);
        }
    };

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static CompletionStage<Void> all(List<CompletionStage<Void>> stages) {
        return CompletableFuture.allOf(stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new));
    }

    /**
     * Hands the event to its handler unless the processed-event log has seen its id, in the caller's transaction (or
     * a new one).
     *
     * @return false for a duplicate delivery, which changes nothing
     */
    @Transactional
    public boolean applyOnce(IncomingEvent event, EventHandlers handlers) {
        if (!processedEventLog.firstDelivery(event)) {
            // Debug: a replay or a rebuild re-delivers every event (22,690 in the reliability suite's replay).
            LOG.debugf("%s event %s (key %s, topic %s) was already applied: this duplicate delivery is ignored",
                    event.eventType(), event.eventId(), event.key(), event.topic());
            return false;
        }
        handlers.handle(event);
        return true;
    }

    /** Applies {@code work} to the record's event once, in a new transaction, with the retries described above. */
    private void apply(String channel, ConsumerRecord<String, String> record, Consumer<ConsumerRecord<String, String>> work) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        long backoff = 50;
        for (int attempt = 1; ; attempt++) {
            try {
                QuarkusTransaction.requiringNew().run(() -> work.accept(record));
                return;
            } catch (PoisonEventException e) {
                deadLettered(channel, record.topic(), "poison");
                LOG.warnf("Message %s on channel %s goes to the dead-letter topic: %s", where, channel, e.getMessage());
                throw e;
            } catch (RuntimeException e) {
                if (stopping) {
                    throw new Stopping(e);
                }
                boolean unavailable = Infrastructure.unavailable(e);
                if (!unavailable && !Infrastructure.conflict(e) && attempt >= OTHER_FAILURE_ATTEMPTS) {
                    deadLettered(channel, record.topic(), "failed");
                    LOG.errorf(e, "Message %s on channel %s failed %d times; it goes to the dead-letter topic", where, channel, attempt);
                    throw e;
                }
                if (attempt == 1 || attempt % 20 == 0) {
                    LOG.warnf("Message %s on channel %s: attempt %d failed (%s); retrying%s", where, channel, attempt,
                            rootMessage(e), unavailable ? " until the database is back" : "");
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    private void deadLettered(String channel, String topic, String reason) {
        Counter.builder("bookmarket.events.dead.lettered")
                .description("Consumed messages sent to the dead-letter topic (poison: unreadable; failed: kept failing)")
                .tag("channel", channel).tag("topic", topic).tag("reason", reason)
                .register(registry).increment();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /**
     * An interrupt (shutdown) does not end the retries: failing here would dead-letter a valid event. Unacknowledged,
     * it is redelivered to whoever consumes next.
     */
    private static void sleep(long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        boolean interrupted = false;
        while (System.nanoTime() < until) {
            try {
                Thread.sleep(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
