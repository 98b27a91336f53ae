package io.bookmarket.regrequest.client;

import io.opentelemetry.context.Context;
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
 * Waiting here is not enough for a caller whose trace is not sampled: see {@link #filter}.
 * A token that cannot be had fails the call like an unreachable approval-service.
 */
@Singleton
@Unremovable
@Priority(Priorities.AUTHENTICATION)
class ApprovalTokenFilter extends AbstractTokensProducer implements ClientRequestFilter {

    @Override
    public void filter(ClientRequestContext request) {
        Context caller = Context.current();
        String token = awaitTokens().getAccessToken();
        if (Context.current() != caller) {
            // The shared token fetch carries the trace of the call that started it, and Quarkus's context propagation
            // (OpenTelemetryMpContextPropagationProvider) gives a waiting caller its own trace back only if that trace
            // is sampled: an unsampled one stayed in the other call's trace. Attached the way that provider restores
            // a sampled one; it is the request's context until the request ends, as before the wait.
            caller.makeCurrent();
        }
        request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }
}
