package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.stack.KeycloakServer;
import io.bookmarket.stack.Realm;
import io.bookmarket.stack.TokenClient;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The access tokens the suite works with, all issued by the system's real Keycloak through the stack's token client
 * ({@link TokenClient}: cached, renewed 30 s before expiry, the held token used while Keycloak cannot renew it, as a
 * client holding a token would): the demo users' and regrequest-service's own client-credentials token (role
 * review-opener). A refused token request is retried a few times (a client would): Keycloak answers 500 once per
 * pooled database connection that PostgreSQL's crash left stale. Those refusals are counted and reported
 * ({@link #refusals}).
 */
final class Tokens {

    static final String PUBLISHER = Realm.PUBLISHER.name();
    static final long PUBL_ID = Realm.PUBLISHER.publId();
    static final String OTHER_PUBLISHER = Realm.OTHER_PUBLISHER.name();
    static final long OTHER_PUBL_ID = Realm.OTHER_PUBLISHER.publId();
    static final String REVIEWER = Realm.REVIEWER.name();
    static final String ADMIN = Realm.ADMIN.name();
    /** Public clients: tokens that expire 2 s after issue, and tokens without the audience bookmarket. */
    static final String SHORT_LIVED_CLIENT = Realm.SHORT_LIVED_CLIENT;
    static final String OTHER_APP_CLIENT = Realm.OTHER_APP_CLIENT;

    private final LocalSystem system;
    private final AtomicLong refused = new AtomicLong();
    private volatile String firstRefusal;

    Tokens(LocalSystem system) {
        this.system = system;
    }

    /** Keycloak of the system as it is now (a restart makes a new server process). */
    KeycloakServer keycloak() {
        return system.stack().keycloak();
    }

    /** A valid access token of a demo user. */
    String of(String user) {
        return retried(() -> system.tokens().token(user));
    }

    /** regrequest-service's own token, as it sends it to approval-service (cached until 30 s before expiry). */
    String opener() {
        return retried(() -> system.tokens().clientToken(Realm.REGREQUEST_CLIENT, Realm.REGREQUEST_SECRET));
    }

    /** A token of its own for a user, never cached: valid for its full 5 minutes from now. */
    String fresh(String user) {
        return viaClient(Realm.CLI_CLIENT, user);
    }

    /** A user's token through another public client ({@link #SHORT_LIVED_CLIENT}, {@link #OTHER_APP_CLIENT}). */
    String viaClient(String clientId, String user) {
        return retried(() -> system.tokens().newToken(clientId, user));
    }

    /** regrequest-service's token, newly issued (not the one cached). */
    String newOpener() {
        return retried(() -> system.tokens().newClientToken(Realm.REGREQUEST_CLIENT, Realm.REGREQUEST_SECRET));
    }

    /** The master realm's administrator: a valid token of the wrong issuer. */
    String otherIssuer() {
        return retried(() -> system.tokens().masterAdminToken());
    }

    /** Token requests Keycloak refused (then retried), and the first reason; "0" when none. */
    String refusals() {
        long n = refused.get();
        return n == 0 ? "0" : n + " (first: " + firstRefusal + ")";
    }

    /** Five attempts, half a second apart: while Keycloak is down, 2.5 s and then the failure. */
    private String retried(Supplier<String> request) {
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
}
