package io.bookmarket.regrequest.client;

import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.client.runtime.AbstractTokensProducer;
import jakarta.annotation.Priority;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * Puts this service's own access token (client credentials, quarkus.oidc-client.*; cached and renewed by
 * quarkus-oidc-client) on every call of {@link ApprovalApi}, waiting for it on the calling thread: the review is
 * opened from a worker thread, whose trace stays current. Quarkus's reactive filter ({@code @OidcClientFilter}) resumed
 * every call that had waited for the same token fetch on the context of the call that started it, so those calls went
 * on in that call's trace (ReviewCallTraceTest); that happened after each start and each renewal of the token.
 * A token that cannot be had fails the call like an unreachable approval-service.
 */
@Singleton
@Unremovable
@Priority(Priorities.AUTHENTICATION)
class ApprovalTokenFilter extends AbstractTokensProducer implements ClientRequestFilter {

    @Override
    public void filter(ClientRequestContext request) {
        request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + awaitTokens().getAccessToken());
    }
}
