package io.bookmarket.support.security;

/**
 * The realm roles of Keycloak realm {@code bookmarket}, as the services read them from the access token's
 * {@code realm_access.roles} ({@code quarkus.oidc.roles.role-claim-path}).
 */
public final class Roles {

    /** An outside company: files, reads and cancels its own requests only (its id is the token's publId claim). */
    public static final String PUBLISHER = "publisher";
    /** The product team: reads everything, decides reviews. */
    public static final String REVIEWER = "reviewer";
    /** Operators: what reviewers may, plus operating commands (rebuilding a read model). */
    public static final String ADMIN = "admin";
    /** regrequest-service's service account: opens review tickets at approval-service. */
    public static final String REVIEW_OPENER = "review-opener";

    private Roles() {
    }
}
