package io.bookmarket.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bookmarket.stack.KeycloakServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The load's access tokens, issued by the system's Keycloak: publisher100 files (POST), publisher200 reads its own
 * rows (GET). The bench measures the services, so a token is fetched once and reused by every request until it is
 * about to expire: a request costs a map lookup here, and verifying the token is local to the service (keys cached).
 * Before each measured window {@link #validFor} makes sure no token needs renewing during it, so Keycloak is not asked
 * while CPU time is counted (should a window outlast a token anyway, it is renewed on the way and counted apart).
 */
final class BenchTokens {

    /** The realm's demo users (infra/keycloak/bookmarket-realm.json): their publIds are in their tokens. */
    static final String PUBLISHER = "publisher100";
    static final long PUBL_ID = 100;
    static final String READER = "publisher200";
    static final long READER_PUBL_ID = 200;
    /** As the stack's cache: a token is renewed when it would expire within this margin. */
    private static final long RENEW_BEFORE_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Held(String authorization, long expiresAt) {
    }

    private final Supplier<KeycloakServer> keycloak;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final LongAdder fetchedBeforeWindows = new LongAdder();
    private final LongAdder fetchedDuringWindows = new LongAdder();

    BenchTokens(Supplier<KeycloakServer> keycloak) {
        this.keycloak = keycloak;
    }

    /** {@code Bearer <token>} of a user: the token held, renewed only when it is about to expire. */
    String authorization(String user) {
        Held h = held.get(user);
        if (h == null || h.expiresAt - RENEW_BEFORE_SECONDS <= now()) {
            h = renew(user, 0, fetchedDuringWindows);
        }
        return h.authorization;
    }

    /** Outside a measured window: every token the window uses stays valid through it (fetched now if need be). */
    void validFor(Duration window, String... users) {
        long until = now() + window.toSeconds() + RENEW_BEFORE_SECONDS + 5;
        for (String user : users) {
            Held h = held.get(user);
            if (h == null || h.expiresAt < until) {
                renew(user, until, fetchedBeforeWindows);
            }
        }
    }

    private synchronized Held renew(String user, long neededUntil, LongAdder counter) {
        Held h = held.get(user);
        if (h != null && h.expiresAt - RENEW_BEFORE_SECONDS > now() && h.expiresAt >= neededUntil) {
            return h; // another worker renewed it meanwhile
        }
        // The stack's cached token first; if it would expire within the window, one of its own (never cached there).
        String token = keycloak.get().token(user);
        if (exp(token) < neededUntil) {
            token = keycloak.get().token(KeycloakServer.CLI_CLIENT, user);
        }
        counter.increment();
        h = new Held("Bearer " + token, exp(token));
        held.put(user, h);
        return h;
    }

    /** How often Keycloak was asked, before the measured windows and (a window outlasting a token) during them. */
    Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fetchedOutsideMeasuredWindows", fetchedBeforeWindows.sum());
        m.put("renewedDuringRuns", fetchedDuringWindows.sum());
        m.put("note", "tokens are fetched once and reused until 30 s before they expire (5 min); a request never asks Keycloak");
        return m;
    }

    private static long exp(String token) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1])).path("exp").asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }
}
