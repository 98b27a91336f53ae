package io.bookmarket.stack;

import java.util.List;

/**
 * The local realm {@value #NAME} (infra/keycloak/bookmarket-realm.json): its clients, local-only secrets and demo
 * users, written once for the stack, the launcher, the suites and the bench.
 */
public final class Realm {

    public static final String NAME = "bookmarket";
    /** The public client of people and suites (password grant; password = user name for the demo users). */
    public static final String CLI_CLIENT = "bookmarket-cli";
    /** Tokens expire 2 s after they are issued. */
    public static final String SHORT_LIVED_CLIENT = "short-lived";
    /** Tokens without the audience {@code bookmarket}. */
    public static final String OTHER_APP_CLIENT = "other-app";
    /** regrequest-service's confidential client: its service account has the role review-opener. */
    public static final String REGREQUEST_CLIENT = "regrequest-service";
    /** Local only; everywhere else the secret comes from a Secret or the environment. */
    public static final String REGREQUEST_SECRET = "regrequest-service-local-secret";
    /** The pages' confidential client (authorization code flow with PKCE), used by regrequest-service and approval-service. */
    public static final String WEB_CLIENT = "bookmarket-web";
    /** Local only, as {@link #REGREQUEST_SECRET}. At least 32 characters: Quarkus encrypts the session cookie with it. */
    public static final String WEB_SECRET = "bookmarket-web-local-secret-0123456789abcdef";
    /** The master realm's bootstrap administrator (local only). */
    public static final String ADMIN_USER = "kcadmin";
    public static final String ADMIN_PASSWORD = "kcadmin";

    /** A demo user (password = user name); {@code publId} is 0 for a user who is no publisher. */
    public record DemoUser(String name, long publId) {
    }

    public static final DemoUser PUBLISHER = new DemoUser("publisher100", 100);
    public static final DemoUser OTHER_PUBLISHER = new DemoUser("publisher200", 200);
    public static final DemoUser REVIEWER = new DemoUser("reviewer", 0);
    /** Reviewer too, and may rebuild publisher-view. */
    public static final DemoUser ADMIN = new DemoUser("admin", 0);
    public static final List<DemoUser> DEMO_USERS = List.of(PUBLISHER, OTHER_PUBLISHER, REVIEWER, ADMIN);

    private Realm() {
    }
}
