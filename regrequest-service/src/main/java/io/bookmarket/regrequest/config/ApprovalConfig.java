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

    /**
     * The service's client secret at Keycloak, for the token it calls approval-service with (OIDC_CLIENT_SECRET; the
     * OIDC client reads it from here). No default outside dev mode: a mapping is checked when the service starts, so a
     * production start without it fails at once, naming the variable, instead of at the first filing.
     */
    String clientSecret();
}
