package io.bookmarket.support.tracing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Sends finished spans to the OTLP/HTTP endpoint in batches, from a thread of its own: a request only puts its spans in
 * a bounded queue and never waits for the trace backend. When the backend is down, slow or refusing, spans are dropped
 * and counted ({@code bookmarket_trace_spans_dropped_total{reason}}); the queue never grows beyond its size.
 * <p>
 * Why not Quarkus's own OTLP exporter (switched off with {@code quarkus.otel.exporter.otlp.enabled=false}): its batch
 * processor is built without a meter provider, so what it drops is seen nowhere. Quarkus adds this bean to its tracer
 * provider like any other {@link SpanProcessor}; sampling, propagation and the spans themselves stay Quarkus's.
 */
@Singleton
public class SpanShipping implements SpanProcessor {

    private static final Logger LOG = Logger.getLogger(SpanShipping.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final TracingConfig config;
    private final SpanExporter exporter;
    private final BlockingQueue<ReadableSpan> queue;
    private final Counter exported;
    private final Counter droppedQueueFull;
    private final Counter droppedExportFailed;
    private final Thread shipper;
    private volatile boolean running = true;
    private long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;

    SpanShipping(TracingConfig config, MeterRegistry registry) {
        this.config = config;
        this.queue = new ArrayBlockingQueue<>(config.queueSize());
        this.exporter = config.endpoint().map(base -> (SpanExporter) OtlpHttpSpanExporter.builder()
                .setEndpoint(base.replaceFirst("/+$", "") + "/v1/traces")
                .setTimeout(config.exportTimeout())
                // Retrying would keep spans, and the queue behind them, waiting for a backend that is away: drop instead.
                .setRetryPolicy(null)
                .build()).orElse(null);
        this.exported = Counter.builder("bookmarket.trace.spans.exported")
                .description("Finished spans sent to the trace backend").register(registry);
        this.droppedQueueFull = dropped(registry, "queue-full");
        this.droppedExportFailed = dropped(registry, "export-failed");
        Gauge.builder("bookmarket.trace.spans.queued", queue, BlockingQueue::size)
                .description("Finished spans waiting to be sent").register(registry);
        if (exporter == null) {
            LOG.info("Traces are not sent anywhere (no bookmarket.tracing.endpoint / OTEL_EXPORTER_OTLP_ENDPOINT); "
                    + "trace ids are still propagated and logged");
            this.shipper = null;
        } else {
            LOG.infof("Traces go to %s (OTLP/HTTP)", config.endpoint().get());
            this.shipper = Thread.ofPlatform().daemon().name("trace-shipping").start(this::shipUntilShutdown);
        }
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("bookmarket.trace.spans.dropped")
                .description("Finished spans not sent: queue-full (the backend is slower than the spans come), "
                        + "export-failed (the backend is down, slow or refused them)")
                .tag("reason", reason).register(registry);
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        if (exporter == null || !span.getSpanContext().isSampled()) {
            return;
        }
        if (!queue.offer(span)) {
            droppedQueueFull.increment();
        }
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    private void shipUntilShutdown() {
        List<ReadableSpan> batch = new ArrayList<>(config.batchSize());
        while (running) {
            try {
                ReadableSpan first = queue.poll(config.delay().toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (batch.size() < config.batchSize()) {
                    // Let the batch fill for up to the delay, unless it is full earlier.
                    long until = System.nanoTime() + config.delay().toNanos();
                    while (batch.size() < config.batchSize() && System.nanoTime() < until) {
                        ReadableSpan next = queue.poll(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                        if (next == null) {
                            break;
                        }
                        batch.add(next);
                        queue.drainTo(batch, config.batchSize() - batch.size());
                    }
                }
                ship(batch);
            } catch (InterruptedException e) {
                // shutdown(): what is queued is sent below
            } catch (RuntimeException e) {
                LOG.warnf("Traces: a batch of %d spans could not be sent and is dropped: %s", batch.size(), e);
                droppedExportFailed.increment(batch.size());
            } finally {
                batch.clear();
            }
        }
    }

    /** Sends one batch and waits for the answer (at most the export timeout): this thread only, never a request's. */
    private void ship(List<ReadableSpan> batch) {
        List<SpanData> data = new ArrayList<>(batch.size());
        batch.forEach(span -> data.add(span.toSpanData()));
        CompletableResultCode result = exporter.export(data)
                .join(config.exportTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
        if (result.isSuccess()) {
            exported.increment(data.size());
            return;
        }
        droppedExportFailed.increment(data.size());
        long now = System.nanoTime();
        if (now - lastWarning >= WARN_EVERY_NANOS) {
            lastWarning = now;
            Throwable failure = result.getFailureThrowable();
            LOG.warnf("Traces: %d spans could not be sent to %s and are dropped (%s); requests are not affected. "
                    + "Dropped spans are counted in bookmarket_trace_spans_dropped_total; this warning repeats at most once a minute.",
                    data.size(), config.endpoint().orElseThrow(),
                    failure != null ? failure.toString() : result.isDone() ? "refused" : "no answer in time");
        }
    }

    /** Sends what is queued now (e.g. before a test reads the backend). */
    @Override
    public CompletableResultCode forceFlush() {
        if (exporter == null) {
            return CompletableResultCode.ofSuccess();
        }
        List<ReadableSpan> batch = new ArrayList<>();
        queue.drainTo(batch);
        for (int from = 0; from < batch.size(); from += config.batchSize()) {
            ship(batch.subList(from, Math.min(batch.size(), from + config.batchSize())));
        }
        return exporter.flush();
    }

    @Override
    public synchronized CompletableResultCode shutdown() {
        if (!running) {
            return CompletableResultCode.ofSuccess();
        }
        running = false;
        if (shipper == null) {
            return CompletableResultCode.ofSuccess();
        }
        shipper.interrupt();
        try {
            shipper.join(config.exportTimeout().toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        forceFlush();
        return exporter.shutdown();
    }
}
