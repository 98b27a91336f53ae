package io.bookmarket.support.tracing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Where finished spans go ({@link SpanShipping}), and how much of them may wait. */
@ConfigMapping(prefix = "bookmarket.tracing")
public interface TracingConfig {

    /** OTLP/HTTP base URL of the collector or trace backend ({@code /v1/traces} is appended); none: spans are not sent. */
    Optional<String> endpoint();

    /** Finished spans waiting to be sent; beyond this they are dropped (and counted), never waited for. */
    @WithDefault("2048")
    int queueSize();

    /** At most this many spans per request to the endpoint. */
    @WithDefault("512")
    int batchSize();

    /** A batch leaves at the latest this long after its first span finished. */
    @WithDefault("1s")
    Duration delay();

    /** An export that has not succeeded by then is given up: its spans are dropped (and counted). */
    @WithDefault("2s")
    Duration exportTimeout();
}
