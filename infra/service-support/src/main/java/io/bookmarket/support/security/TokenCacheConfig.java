package io.bookmarket.support.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@link VerifiedTokens}: how many verified access tokens a service remembers, and for how long at most. */
@ConfigMapping(prefix = "bookmarket.token-cache")
public interface TokenCacheConfig {

    /** Distinct tokens kept (least recently used dropped first); 0 verifies every request's token. */
    @WithDefault("10000")
    long maxSize();

    /** The longest a verified token is trusted without a new check, even if its exp is later. */
    @WithDefault("5m")
    Duration maxAge();
}
