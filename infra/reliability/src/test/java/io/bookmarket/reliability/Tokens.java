package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.stack.KeycloakServer;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The access tokens the suite works with, all issued by the system's real Keycloak: the demo users' (the stack's
 * cached helper, renewed 30 s before expiry: runs last longer than a token's 5 minutes) and regrequest-service's own
 * client-credentials token (role review-opener). While Keycloak is down (it is in the crash cycle) a token due for
 * renewal cannot be renewed: the last one is used as long as it is valid, as a client holding a token would.
 * A refused token request is retried a few times (a client would): Keycloak answers 500 once per pooled database
 * connection that PostgreSQL's crash left stale. Those refusals are counted and reported ({@link #refusals}).
 */
final class Tokens {

    /** The realm's demo users (infra/keycloak/bookmarket-realm.json); password = user name. */
    static final String PUBLISHER = "publisher100";
    static final long PUBL_ID = 100;
    static final String OTHER_PUBLISHER = "publisher200";
    static final long OTHER_PUBL_ID = 200;
    static final String REVIEWER = "reviewer";
    static final String ADMIN = "admin";
    /** regrequest-service's client (service account with role review-opener) and its local-only secret. */
    static final String OPENER_CLIENT = KeycloakServer.REGREQUEST_CLIENT;
    static final String OPENER_SECRET = KeycloakServer.REGREQUEST_SECRET;
    /** Public clients: tokens that expire 2 s after issue, and tokens without the audience bookmarket. */
    static final String CLI_CLIENT = KeycloakServer.CLI_CLIENT;
    static final String SHORT_LIVED_CLIENT = KeycloakServer.SHORT_LIVED_CLIENT;
    static final String OTHER_APP_CLIENT = KeycloakServer.OTHER_APP_CLIENT;

    private final LocalSystem system;
    private final Map<String, String> lastIssued = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
    private volatile String firstRefusal;

    Tokens(LocalSystem system) {
        this.system = system;
    }

    /** Keycloak of the system as it is now (a restart makes a new server with a token cache of its own). */
    KeycloakServer keycloak() {
        return system.stack().keycloak();
    }

    /** A valid access token of a demo user. */
    String of(String user) {
        try {
            String token = retried(() -> keycloak().token(user));
            lastIssued.put(user, token);
            return token;
        } catch (RuntimeException e) {
            return stillValid(user, e);
        }
    }

    /** regrequest-service's own token, as it sends it to approval-service (cached here until 30 s before expiry). */
    String opener() {
        String last = lastIssued.get(OPENER_CLIENT);
        if (last != null && Jwt.exp(last) - 30 > Instant.now().getEpochSecond()) {
            return last;
        }
        try {
            String token = retried(() -> keycloak().clientToken(OPENER_CLIENT, OPENER_SECRET));
            lastIssued.put(OPENER_CLIENT, token);
            return token;
        } catch (RuntimeException e) {
            return stillValid(OPENER_CLIENT, e);
        }
    }

    /** A token of its own for a user, never cached: valid for its full 5 minutes from now. */
    String fresh(String user) {
        return viaClient(CLI_CLIENT, user);
    }

    /** A user's token through another public client ({@link #SHORT_LIVED_CLIENT}, {@link #OTHER_APP_CLIENT}). */
    String viaClient(String clientId, String user) {
        return retried(() -> keycloak().token(clientId, user));
    }

    /** regrequest-service's token, newly issued (not the one cached here). */
    String newOpener() {
        return retried(() -> keycloak().clientToken(OPENER_CLIENT, OPENER_SECRET));
    }

    /** The master realm's administrator: a valid token of the wrong issuer. */
    String otherIssuer() {
        return retried(() -> keycloak().masterAdminToken());
    }

    /** Token requests Keycloak refused (then retried), and the first reason; "0" when none. */
    String refusals() {
        long n = refused.get();
        return n == 0 ? "0" : n + " (first: " + firstRefusal + ")";
    }

    /** Five attempts, half a second apart: while Keycloak is down, 2.5 s and then the caller's fallback. */
    private String retried(java.util.function.Supplier<String> request) {
        RuntimeException failure = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return request.get();
            } catch (RuntimeException e) {
                failure = e;
                if (refused.getAndIncrement() == 0) {
                    firstRefusal = e.getMessage();
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw failure;
    }

    private String stillValid(String who, RuntimeException failure) {
        String last = lastIssued.get(who);
        if (last != null && Jwt.exp(last) > Instant.now().getEpochSecond() + 1) {
            return last;
        }
        throw failure;
    }
}
