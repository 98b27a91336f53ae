package io.bookmarket.approval.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** approval-service's own settings ({@code approve.*}). */
@ConfigMapping(prefix = "approve")
public interface ApproveConfig {

    /**
     * How long a ticket may stay unconfirmed (no RegRequested event yet) before it is deleted: the synchronous
     * call opened it, but the request never committed. Must comfortably exceed the relay's delivery delay.
     */
    @WithDefault("10m")
    Duration unconfirmedTtl();

    /** How often the expiry job looks for such tickets (also read by {@code @Scheduled}). */
    @WithDefault("1m")
    Duration expiryInterval();
}
