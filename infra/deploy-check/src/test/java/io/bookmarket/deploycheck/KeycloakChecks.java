package io.bookmarket.deploycheck;

/** What Docker Compose, Kubernetes and the local stack agree on about Keycloak (issue 14's contract). */
final class KeycloakChecks {

    /** The Keycloak the local stack runs from Maven Central (keycloak-quarkus-dist); the images are pinned to it. */
    static final String VERSION = "26.7.3";
    static final String IMAGE = "quay.io/keycloak/keycloak:" + VERSION;
    /** The launcher's Keycloak port: Compose publishes the same, so infra/token.sh works against both. */
    static final int LOCAL_PORT = 18180;
    /** regrequest-service's confidential client (client credentials: it opens reviews). */
    static final String SERVICE_CLIENT = "regrequest-service";

    private KeycloakChecks() {
    }
}
