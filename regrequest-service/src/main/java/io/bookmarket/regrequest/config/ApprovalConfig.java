package io.bookmarket.regrequest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How the service talks about approval-service to its own clients (the guard's thresholds are FT config keys). */
@ConfigMapping(prefix = "approval")
public interface ApprovalConfig {

    /** Sent as Retry-After (whole seconds, at least 1) when a request cannot be filed because the review is unavailable. */
    @WithDefault("10s")
    Duration retryAfter();
}
