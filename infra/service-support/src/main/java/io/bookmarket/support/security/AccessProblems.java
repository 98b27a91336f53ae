package io.bookmarket.support.security;

import io.bookmarket.support.problem.Problem;
import io.bookmarket.support.problem.ProblemMappers;
import io.quarkus.oidc.OIDCException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/**
 * 401 and 403 as RFC 9457 problem JSON, the 401 with its RFC 6750 {@code WWW-Authenticate: Bearer} challenge.
 * Authentication is not proactive ({@code quarkus.http.auth.proactive=false}): the bearer token is verified when an
 * endpoint's role check asks for the identity, so every failure reaches these mappers (the HTTP layer would answer a
 * bare 401 without a body). These replace Quarkus REST's own security mappers, which only send the challenge.
 */
public class AccessProblems {

    private static final Logger LOG = Logger.getLogger(AccessProblems.class);

    static final String REALM = "bookmarket";

    /** No token at all: the challenge carries no error code (RFC 6750, 3.1). */
    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return challenge(uri, null, "A bearer access token is required (Authorization: Bearer <token>).");
    }

    /** A token was sent but is not valid here: expired, badly signed, unsigned, another issuer or audience, malformed. */
    @ServerExceptionMapper
    public Response invalidToken(AuthenticationFailedException e, UriInfo uri) {
        if (providerUnreachable(e)) {
            return providerUnavailable(e, uri);
        }
        // The reason (which check failed) is for the log only: a client learns nothing about how tokens are checked.
        LOG.debugf("Bearer token refused on %s: %s", ProblemMappers.path(uri), reason(e));
        return challenge(uri, "invalid_token", "The access token is invalid, expired or not meant for this service.");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return ProblemMappers.response(new Problem("urn:bookmarket:problem:forbidden", "Forbidden", 403,
                "The access token's roles do not allow this.", ProblemMappers.path(uri), List.of())).build();
    }

    /**
     * The OpenID provider could not be reached to learn its keys (Keycloak not up yet, or down before this service
     * ever saw it): the token could not be checked, which says nothing about it. A retryable 503, not a 401 that would
     * make a client throw away a good token, nor a 500.
     */
    @ServerExceptionMapper
    public Response providerUnavailable(OIDCException e, UriInfo uri) {
        if (keyRefreshFailed(e)) {
            // The service has the realm's keys, and none of them signed this token; asking Keycloak for newer keys
            // failed. With the keys it has, the token is not valid here: 401, at once, as for any other such token.
            LOG.infof("Bearer token refused on %s: signed by a key the realm's key set does not hold, and the identity "
                    + "provider could not be asked for newer keys (%s)", ProblemMappers.path(uri), reason(e));
            return challenge(uri, "invalid_token", "The access token is invalid, expired or not meant for this service.");
        }
        LOG.warnf("Identity provider unavailable while handling %s: %s", ProblemMappers.path(uri), reason(e));
        return ProblemMappers.response(new Problem("urn:bookmarket:problem:identity-provider-unavailable",
                        "Service temporarily unavailable", 503,
                        "The identity provider cannot be reached just now, so the access token could not be checked; "
                                + "nothing was changed. Retry later.", ProblemMappers.path(uri), List.of()))
                .header("Retry-After", "5").build();
    }

    private Response providerUnavailable(Throwable e, UriInfo uri) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OIDCException oidc) {
                return providerUnavailable(oidc, uri);
            }
        }
        return providerUnavailable(new OIDCException(e.getMessage(), e), uri);
    }

    /**
     * A token's key looked up again (its key id is not in the key set the service holds) while the provider is away:
     * Quarkus OIDC reports it as an OIDCException around the verification's AuthenticationFailedException. When the
     * provider was never reached, there is no verification to wrap.
     */
    private static boolean keyRefreshFailed(Throwable e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof AuthenticationFailedException) {
                return true;
            }
        }
        return false;
    }

    private static boolean providerUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OIDCException || t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static Response challenge(UriInfo uri, String error, String detail) {
        String header = "Bearer realm=\"" + REALM + "\"" + (error == null ? "" : ", error=\"" + error + "\"");
        return ProblemMappers.response(new Problem("urn:bookmarket:problem:unauthorized", "Unauthorized", 401, detail,
                ProblemMappers.path(uri), List.of())).header("WWW-Authenticate", header).build();
    }

    private static String reason(Throwable e) {
        StringBuilder reason = new StringBuilder();
        for (Throwable t = e; t != null && reason.length() < 500; t = t.getCause()) {
            reason.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append("; ");
        }
        return reason.toString();
    }
}
