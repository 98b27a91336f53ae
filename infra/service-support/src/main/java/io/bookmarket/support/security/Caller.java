package io.bookmarket.support.security;

import io.bookmarket.support.problem.ProblemException;
import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.OptionalLong;

/**
 * Who is calling, as far as the services care: a publisher (and which one) or someone who may read everything.
 * Ownership rules live in the services; this only reads the verified token.
 */
@RequestScoped
public class Caller {

    /** The access token claim naming a publisher (a JSON number; Keycloak maps it from the user attribute). */
    public static final String PUBL_ID_CLAIM = "publId";

    @Inject
    SecurityIdentity identity;

    /** Reviewers and admins read every publisher's data. */
    public boolean readsAll() {
        return identity.hasRole(Roles.REVIEWER) || identity.hasRole(Roles.ADMIN);
    }

    public boolean isPublisher() {
        return identity.hasRole(Roles.PUBLISHER);
    }

    /**
     * The rows this caller may read: empty for reviewers and admins (all), else only the publisher's own.
     *
     * @throws ProblemException 403 when the caller is neither (cannot happen behind the endpoints' role checks)
     */
    public OptionalLong readScope() {
        return readsAll() ? OptionalLong.empty() : OptionalLong.of(publId());
    }

    /**
     * The publisher's id from the token's publId claim.
     *
     * @throws ProblemException 403 when the token names no publisher: its user has no publId attribute
     */
    public long publId() {
        Long id = identity.getPrincipal() instanceof JsonWebToken jwt ? claimAsLong(publIdClaim(jwt)) : null;
        if (id == null || id <= 0 || !isPublisher()) {
            throw new ProblemException(403, "forbidden", "Forbidden",
                    "The access token names no publisher (role publisher with a publId claim is required).");
        }
        return id;
    }

    public String name() {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    /**
     * Read from the verified claims themselves: smallrye-jwt's {@code getClaim(name)} first tries
     * {@code Claims.valueOf(name)}, which throws (and fills in a stack trace) for every non-standard claim such as
     * publId, on every request (JFR, issue 14).
     */
    private static Object publIdClaim(JsonWebToken jwt) {
        return jwt instanceof OidcJwtCallerPrincipal oidc ? oidc.getClaims().getClaimValue(PUBL_ID_CLAIM)
                : jwt.getClaim(PUBL_ID_CLAIM);
    }

    static Long claimAsLong(Object claim) {
        try {
            return switch (claim) {
                case null -> null;
                case JsonNumber n -> n.longValueExact();
                case Number n -> n.longValue();
                case JsonString s -> Long.parseLong(s.getString().trim());
                case String s -> Long.parseLong(s.trim());
                default -> null;
            };
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }
}
