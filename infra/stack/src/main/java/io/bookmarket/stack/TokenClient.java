package io.bookmarket.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The one OAuth client of the stack's users (suites, bench, launcher): access tokens from the local Keycloak, the demo
 * users' through {@value Realm#CLI_CLIENT} (password grant) and confidential clients' (client credentials).
 * <p>
 * Cached tokens are read without locking while fresh and renewed {@link #RENEW_BEFORE_EXPIRY} before they expire, by
 * one thread while the others wait. A renewal that fails (Keycloak down or restarting) falls back on the cached token
 * while it is still valid, as any client holding a token would. It survives a Keycloak restart: the port stays.
 */
public final class TokenClient {

    /** A cached token is renewed when it would expire within this margin. */
    public static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String keycloakUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final LongAdder issued = new LongAdder();
    /** Tests move it forward to see a cached token renewed. */
    volatile Clock clock = Clock.systemUTC();

    /** @param keycloakUrl e.g. {@code http://127.0.0.1:8180} */
    public TokenClient(String keycloakUrl) {
        this.keycloakUrl = keycloakUrl;
    }

    /** A demo user's token, cached until {@link #RENEW_BEFORE_EXPIRY} before it expires. */
    public String token(Realm.DemoUser user) {
        return token(user.name());
    }

    /** A user's token (password = user name), cached until {@link #RENEW_BEFORE_EXPIRY} before it expires. */
    public String token(String user) {
        return token(user, Duration.ZERO);
    }

    /** A user's token that stays valid for {@code validFor} beyond the renewal margin (a new one if the cached one would not). */
    public String token(String user, Duration validFor) {
        return cache.computeIfAbsent("user " + user, key -> new Cached(() -> passwordGrant(Realm.NAME, Realm.CLI_CLIENT, user, user)))
                .get(validFor);
    }

    /** A user's token (password = user name) through another public client, e.g. {@value Realm#SHORT_LIVED_CLIENT}; never cached. */
    public String newToken(String clientId, String user) {
        return passwordGrant(Realm.NAME, clientId, user, user).token();
    }

    /** A confidential client's service-account token (client credentials grant), cached like a user's. */
    public String clientToken(String clientId, String secret) {
        return cache.computeIfAbsent("client " + clientId + " " + secret, key -> new Cached(() -> clientCredentials(clientId, secret)))
                .get(Duration.ZERO);
    }

    /** A confidential client's service-account token, newly issued: never cached. */
    public String newClientToken(String clientId, String secret) {
        return clientCredentials(clientId, secret).token();
    }

    /** A token of the master realm's administrator: a valid token from the wrong issuer for the services. */
    public String masterAdminToken() {
        return passwordGrant("master", "admin-cli", Realm.ADMIN_USER, Realm.ADMIN_PASSWORD).token();
    }

    /** How many tokens Keycloak issued to this client so far. */
    public long issued() {
        return issued.sum();
    }

    private Grant clientCredentials(String clientId, String secret) {
        return grant(Realm.NAME, clientId, Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", secret));
    }

    private Grant passwordGrant(String realm, String clientId, String user, String password) {
        return grant(realm, clientId, Map.of("grant_type", "password", "client_id", clientId, "username", user,
                "password", password));
    }

    private Grant grant(String realm, String clientId, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        Instant asked = clock.instant();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(keycloakUrl + "/realms/" + realm + "/protocol/openid-connect/token"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(KeycloakServer.COMPONENT + " refused a token (realm " + realm + ", client "
                        + clientId + (form.containsKey("username") ? ", user " + form.get("username") : "") + "): HTTP "
                        + response.statusCode() + " " + response.body());
            }
            JsonNode json = JSON.readTree(response.body());
            issued.increment();
            return new Grant(json.path("access_token").asText(), asked.plusSeconds(json.path("expires_in").asLong()));
        } catch (IOException e) {
            throw new IllegalStateException(KeycloakServer.COMPONENT + " at " + keycloakUrl + " could not be asked for a token: "
                    + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while asking " + KeycloakServer.COMPONENT + " for a token", e);
        }
    }

    private record Grant(String token, Instant expires) {
    }

    /** One cached token: read without locking while fresh; one thread renews it while the others wait for it. */
    private final class Cached {
        private final java.util.function.Supplier<Grant> issue;
        private volatile Grant grant;

        Cached(java.util.function.Supplier<Grant> issue) {
            this.issue = issue;
        }

        String get(Duration validFor) {
            Grant current = grant;
            if (current != null && fresh(current, validFor)) {
                return current.token();
            }
            synchronized (this) {
                if (grant == null || !fresh(grant, validFor)) {
                    try {
                        grant = issue.get();
                    } catch (RuntimeException e) {
                        if (grant != null && clock.instant().plusSeconds(1).isBefore(grant.expires())) {
                            return grant.token(); // Keycloak cannot renew it now: the one held is still valid
                        }
                        throw e;
                    }
                }
                return grant.token();
            }
        }

        private boolean fresh(Grant g, Duration validFor) {
            return clock.instant().plus(RENEW_BEFORE_EXPIRY).plus(validFor).isBefore(g.expires());
        }
    }
}
