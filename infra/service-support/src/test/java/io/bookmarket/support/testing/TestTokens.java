package io.bookmarket.support.testing;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Access tokens as Keycloak's realm bookmarket issues them (audience bookmarket, realm_access.roles, publId for
 * publishers), signed with the key {@link OidcServer} publishes; and the hostile ones a service must refuse with 401.
 */
public final class TestTokens {

    /** The issuer {@link OidcServer}'s discovery document announces. */
    public static final String ISSUER = System.getProperty("quarkus.test.oidc.token.issuer", "https://server.example.com");
    public static final String AUDIENCE = "bookmarket";
    private static final String KID = "1";
    private static final PrivateKey KEY = privateKey("privateKey.jwk");

    private TestTokens() {
    }

    public static String publisher(long publId) {
        return build("publisher" + publId, Map.of("publId", publId), "publisher").sign();
    }

    /** A publisher's token that expires {@code in} from now (exp has second precision: rounded up). */
    public static String publisherExpiringIn(long publId, Duration in) {
        Instant now = Instant.now();
        return base("publisher" + publId, Map.of("publId", publId), "publisher").issuedAt(now)
                .expiresAt(now.plus(in).plusMillis(999).getEpochSecond()).jws().keyId(KID).sign(KEY);
    }

    public static String reviewer() {
        return build("reviewer", Map.of(), "reviewer").sign();
    }

    /** Like the realm's admin user: roles admin and reviewer. */
    public static String admin() {
        return build("admin", Map.of(), "admin", "reviewer").sign();
    }

    /** regrequest-service's service account. */
    public static String reviewOpener() {
        return build("service-account-regrequest-service", Map.of(), "review-opener").sign();
    }

    public static String withRoles(String user, String... roles) {
        return build(user, Map.of(), roles).sign();
    }

    /** A publisher's token without the publId claim (a user whose attribute is missing). */
    public static String publisherWithoutPublId() {
        return build("nopubl", Map.of(), "publisher").sign();
    }

    /** Expired a minute ago. */
    public static String expired() {
        Instant issued = Instant.now().minus(Duration.ofMinutes(10));
        return base("reviewer", Map.of(), "reviewer").issuedAt(issued).expiresAt(issued.plus(Duration.ofMinutes(9)))
                .jws().keyId(KID).sign(KEY);
    }

    public static String wrongIssuer() {
        return base("reviewer", Map.of(), "reviewer").issuer("https://evil.example.com/realms/bookmarket")
                .jws().keyId(KID).sign(KEY);
    }

    /** Meant for another application (no audience bookmarket). */
    public static String wrongAudience() {
        return base("reviewer", Map.of(), "reviewer").audience("other-app").jws().keyId(KID).sign(KEY);
    }

    /** A valid reviewer token whose payload was changed to say admin: the signature no longer matches. */
    public static String tampered() {
        String[] parts = reviewer().split("\\.");
        String payload = decode(parts[1]).replace("\"reviewer\"]", "\"reviewer\",\"admin\"]");
        return parts[0] + "." + encode(payload) + "." + parts[2];
    }

    /** Unsigned ({@code alg: none}), otherwise a perfect admin token. */
    public static String unsigned() {
        String[] parts = admin().split("\\.");
        return encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    }

    /** Signed by a key the provider never published, under the provider's key id. */
    public static String signedByAnotherKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return base("reviewer", Map.of(), "reviewer").jws().keyId(KID).sign(generator.generateKeyPair().getPrivate());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every token a service must answer with 401 (name, token), for one check per kind. */
    public static Map<String, String> hostile() {
        return Map.of(
                "expired", expired(),
                "wrong issuer", wrongIssuer(),
                "wrong audience", wrongAudience(),
                "tampered payload", tampered(),
                "alg none", unsigned(),
                "another key", signedByAnotherKey(),
                "not a JWT", "not-a-jwt");
    }

    private static Signer build(String user, Map<String, Object> claims, String... roles) {
        JwtClaimsBuilder builder = base(user, claims, roles);
        return () -> builder.jws().keyId(KID).sign(KEY);
    }

    private static JwtClaimsBuilder base(String user, Map<String, Object> claims, String... roles) {
        JwtClaimsBuilder builder = Jwt.issuer(ISSUER).audience(AUDIENCE).subject(user).preferredUserName(user)
                .claim("realm_access", Map.of("roles", List.of(roles)))
                .issuedAt(Instant.now()).expiresIn(Duration.ofHours(1));
        claims.forEach(builder::claim);
        return builder;
    }

    private interface Signer {
        String sign();
    }

    private static String encode(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }

    private static PrivateKey privateKey(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " (quarkus-test-oidc-server) is not on the class path");
            }
            JsonWebKey jwk = JsonWebKey.Factory.newJwk(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return ((PublicJsonWebKey) jwk).getPrivateKey();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (org.jose4j.lang.JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
