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

    /**
     * A publisher id is a positive whole number: a JSON integer, or a string of digits (as Keycloak's attribute mappers
     * emit it). Anything else, fractions, signs, exponents, blanks, zero, arrays, objects, numbers beyond a long, names no
     * publisher (null): {@code 100.9} must never become publisher 100.
     */
    static Long claimAsLong(Object claim) {
        Long id;
        try {
            id = switch (claim) {
                case null -> null;
                case JsonNumber n -> n.isIntegral() ? n.bigIntegerValueExact().longValueExact() : null;
                case Long n -> n;
                case Integer n -> n.longValue();
                case java.math.BigInteger n -> n.longValueExact();
                case JsonString s -> digits(s.getString());
                case String s -> digits(s);
                default -> null; // Double, Float, BigDecimal, Boolean, arrays, objects
            };
        } catch (ArithmeticException e) {
            return null; // beyond a long
        }
        return id != null && id > 0 ? id : null;
    }

    private static Long digits(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return Long.parseLong(text);
    }
}
