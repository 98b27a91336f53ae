package io.bookmarket.support.testing;

import io.quarkus.test.oidc.server.OidcWiremockTestResource;

import java.util.HashMap;
import java.util.Map;

/**
 * An OpenID provider for the services' tests: Quarkus's WireMock OIDC server (discovery and JWKS over real HTTP), so
 * the tokens of {@link TestTokens} are verified exactly as Keycloak's are: signature, issuer, audience, expiry.
 */
public class OidcServer extends OidcWiremockTestResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("quarkus.oidc.auth-server-url", config.get("keycloak.url") + "/realms/quarkus");
        // The pages' client (tenant "web") of this provider; it also encrypts the session cookies (32+ characters). Set
        // here rather than in %test, so the packaged app of the *IT tests (prod profile) starts as well.
        config.put("bookmarket.pages.client-secret", "bookmarket-web-test-secret-0123456789abcdef");
        return config;
    }
}
