package io.bookmarket.support.ui;

import io.smallrye.config.ConfigMapping;

/**
 * What a service that serves pages must be given ({@code bookmarket.pages.*}). The page resources inject it, so the
 * start checks it before anything else runs: a production start without the secret fails at once, naming the
 * variable. Tenant "web" alone would start without it (its secret is optional) and fail at the first sign-in.
 */
@ConfigMapping(prefix = "bookmarket.pages")
public interface PagesConfig {

    /**
     * The secret of the pages' OIDC client (Keycloak client bookmarket-web), which also encrypts the session cookies
     * (at least 32 characters).
     */
    String clientSecret();
}
