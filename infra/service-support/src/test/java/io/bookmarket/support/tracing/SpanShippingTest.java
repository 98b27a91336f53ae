package io.bookmarket.support.tracing;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Spans reach the endpoint; when it is down or hangs, they are dropped and counted, and nobody waits for it. */
class SpanShippingTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private SdkTracerProvider provider;
    private HttpServer backend;

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.shutdown();
        }
        if (backend != null) {
            backend.stop(0);
        }
    }

    @Test
    void finishedSpansAreSentInBatchesAndCounted() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        backend.createContext("/v1/traces", exchange -> {
            exchange.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        backend.start();
        Tracer tracer = tracer("http://127.0.0.1:" + backend.getAddress().getPort(), 100);

        for (int i = 0; i < 30; i++) {
            tracer.spanBuilder("work " + i).startSpan().end();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> counter("bookmarket.trace.spans.exported") == 30);
        assertThat(requests.get()).as("sent in batches, not one request per span").isBetween(1, 5);
        assertThat(dropped()).isZero();
    }

    @Test
    void aBackendThatIsDownCostsSpansNotTime() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Tracer tracer = tracer("http://127.0.0.1:" + closedPort, 100);

        long begin = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            tracer.spanBuilder("work " + i).startSpan().end();
        }
        Duration ending = Duration.ofNanos(System.nanoTime() - begin);

        await().atMost(Duration.ofSeconds(15)).until(() -> dropped() == 1000);
        assertThat(dropped("export-failed")).as("what was queued, refused").isPositive();
        assertThat(counter("bookmarket.trace.spans.exported")).isZero();
        assertThat(ending).as("ending 1000 spans never waits for the backend").isLessThan(Duration.ofSeconds(1));
    }

    /** While one export hangs, the queue fills to its size and no further: the rest is dropped at once. */
    @Test
    void aBackendThatHangsIsGivenUpOnAfterTheExportTimeoutAndTheQueueStaysBounded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        backend.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        backend.createContext("/v1/traces", exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        backend.start();
        Tracer tracer = tracer("http://127.0.0.1:" + backend.getAddress().getPort(), 100);
        try {
            for (int i = 0; i < 20; i++) {
                tracer.spanBuilder("work " + i).startSpan().end();
            }
            // The first batch is on its way (and hangs); the next 300 find a queue of 100.
            await().atMost(Duration.ofSeconds(5)).until(() -> registry.find("bookmarket.trace.spans.queued").gauge().value() == 0);
            for (int i = 0; i < 300; i++) {
                tracer.spanBuilder("more " + i).startSpan().end();
            }
            assertThat(registry.find("bookmarket.trace.spans.queued").gauge().value()).isLessThanOrEqualTo(100);
            assertThat(dropped("queue-full")).isGreaterThanOrEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> dropped() == 320);
            assertThat(counter("bookmarket.trace.spans.exported")).isZero();
        } finally {
            release.countDown();
        }
    }

    private Tracer tracer(String endpoint, int queueSize) {
        SpanShipping shipping = new SpanShipping(new TracingConfig() {
            @Override
            public Optional<String> endpoint() {
                return Optional.of(endpoint);
            }

            @Override
            public int queueSize() {
                return queueSize;
            }

            @Override
            public int batchSize() {
                return 20;
            }

            @Override
            public Duration delay() {
                return Duration.ofMillis(100);
            }

            @Override
            public Duration exportTimeout() {
                return Duration.ofMillis(500);
            }
        }, registry);
        provider = SdkTracerProvider.builder().addSpanProcessor(shipping).build();
        return provider.get("test");
    }

    private double counter(String name) {
        return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private double dropped() {
        return counter("bookmarket.trace.spans.dropped");
    }

    private double dropped(String reason) {
        return registry.find("bookmarket.trace.spans.dropped").tag("reason", reason).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
