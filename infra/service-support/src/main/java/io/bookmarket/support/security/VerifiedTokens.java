package io.bookmarket.support.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.quarkus.oidc.runtime.OidcIdentityProvider;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Verifies each bearer token once, not on every request. A client sends the same access token until it expires
 * (regrequest-service's own token to approval-service, a publisher's for its 5 minutes), and Quarkus OIDC re-verifies
 * it every time: signature, then three JSON parses by jose4j, each allocating a 32 KB buffer. That was about 15 % of a
 * service's CPU samples and 60 % of its allocation per POST (JFR, issue 14).
 * <p>
 * The identity Quarkus OIDC built for a token is kept, keyed by the whole token string (any changed byte misses and is
 * verified), until the token's own {@code exp} (capped by {@code bookmarket.token-cache.max-age}), so an expired token
 * is refused exactly as before. What is lost: a token whose signing key Keycloak removes stays valid here until it
 * expires, as it would in any service that had already checked it. Failures are never cached.
 */
@ApplicationScoped
public class VerifiedTokens implements IdentityProvider<TokenAuthenticationRequest> {

    private final OidcIdentityProvider oidc;
    private final Cache<String, SecurityIdentity> verified;
    private final boolean enabled;

    @Inject
    public VerifiedTokens(OidcIdentityProvider oidc, TokenCacheConfig config, MeterRegistry registry) {
        this.oidc = oidc;
        this.enabled = config.maxSize() > 0;
        this.verified = Caffeine.newBuilder().maximumSize(config.maxSize()).expireAfter(untilExpiry(config.maxAge()))
                .recordStats().build();
        CaffeineCacheMetrics.monitor(registry, verified, "verified-tokens");
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    /** Asked before Quarkus OIDC's provider (default priority), which it calls on a miss. */
    @Override
    public int priority() {
        return IdentityProvider.super.priority() + 1;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!enabled) {
            return oidc.authenticate(request, context);
        }
        String token = request.getToken().getToken();
        SecurityIdentity known = verified.getIfPresent(token);
        if (known != null) {
            return Uni.createFrom().item(forThisRequest(known, request, context));
        }
        return oidc.authenticate(request, context).invoke(identity -> {
            if (identity != null && identity.getPrincipal() instanceof JsonWebToken) {
                verified.put(token, identity);
            }
        });
    }

    /** The identity carries its request's routing context and blocking-API context (Quarkus OIDC adds both). */
    private static SecurityIdentity forThisRequest(SecurityIdentity known, TokenAuthenticationRequest request,
            AuthenticationRequestContext context) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder(known)
                .addAttribute(AuthenticationRequestContext.class.getName(), context);
        RoutingContext routing = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (routing != null) {
            builder.addAttribute(RoutingContext.class.getName(), routing);
        }
        return builder.build();
    }

    /** Each entry lives until its token's exp, at most maxAge; reads do not extend it. */
    private static Expiry<String, SecurityIdentity> untilExpiry(Duration maxAge) {
        return new Expiry<>() {
            @Override
            public long expireAfterCreate(String token, SecurityIdentity identity, long currentTime) {
                long expiresAt = ((JsonWebToken) identity.getPrincipal()).getExpirationTime();
                long left = TimeUnit.SECONDS.toNanos(expiresAt) - TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
                return Math.max(0, Math.min(left, maxAge.toNanos()));
            }

            @Override
            public long expireAfterUpdate(String token, SecurityIdentity identity, long currentTime, long currentDuration) {
                return expireAfterCreate(token, identity, currentTime);
            }

            @Override
            public long expireAfterRead(String token, SecurityIdentity identity, long currentTime, long currentDuration) {
                return currentDuration;
            }
        };
    }
}
