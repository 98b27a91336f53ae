package io.bookmarket.regrequest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The queue in front of filing (service.FilingQueue). */
@ConfigMapping(prefix = "filing")
public interface FilingConfig {

    /** Filings worked on at once; the others wait their turn. Enough to keep 2 cores and approval-service busy. */
    @WithDefault("16")
    int concurrency();

    /** Filings that may wait; beyond that a client gets 503 at once. */
    @WithDefault("1000")
    int queue();

    /** The longest a filing waits for its turn before it is answered 503. */
    @WithDefault("20s")
    Duration maxWait();
}
