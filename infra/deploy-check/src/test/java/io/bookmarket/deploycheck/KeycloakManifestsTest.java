package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Keycloak in Kubernetes (infra/k8s/35-keycloak.yaml, 36-keycloak-realm.yaml): the operator's Keycloak on its own
 * database of the CloudNativePG cluster, the issuer fixed to the public host while the services use the in-cluster
 * URL, only the realm's endpoints and the login pages' resources public (no admin console, no master realm), the realm
 * import without demo users, local-only clients, password grants or literal client secrets and with brute-force
 * detection and a password policy, the ConfigMap the services read, and the deploy workflow creating the Secrets and
 * applying Keycloak before the services.
 */
class KeycloakManifestsTest {

    static final String KEYCLOAK_FILE = "35-keycloak.yaml";
    static final String REALM_IMPORT_FILE = "36-keycloak-realm.yaml";
    /** The ConfigMap the services read OIDC_URL (and regrequest-service its client id) from. */
    static final String OIDC_CONFIG = "bookmarket-oidc";
    static final String KEYCLOAK_DB_SECRET = "bookmarket-keycloak-db";
    /** The realm roles of the contract; regrequest-service's service account has REVIEW_OPENER. */
    static final Set<String> REALM_ROLES = Set.of("publisher", "reviewer", "admin", "review-opener");
    static final String REVIEW_OPENER = "review-opener";
    /** What Keycloak's public host routes (path -> pathType): the realm's endpoints, the login pages' static files. */
    static final Map<String, String> PUBLIC_PATHS = Map.of("/realms/" + RealmImportManifest.REALM, "Prefix",
            "/resources", "Prefix");
    /** Production's passwords: at least this long (the realm's password policy). */
    static final int MIN_PASSWORD_LENGTH = 12;

    private final Path root = Repo.root();

    private List<JsonNode> docs(String file) {
        return K8sManifestsTest.documents(root, file);
    }

    // ---- Keycloak and its database ----

    @Test
    void keycloakRunsThePinnedImageOnItsOwnDatabaseWithTheIssuerOfThePublicHost() {
        checkKeycloak(docs(KEYCLOAK_FILE), docs("20-postgres.yaml"), docs("10-secrets.example.yaml"));
    }

    @Test
    void brokenKeycloakManifestsAreRefused() {
        List<JsonNode> keycloak = docs(KEYCLOAK_FILE);
        List<JsonNode> postgres = docs("20-postgres.yaml");
        List<JsonNode> secrets = docs("10-secrets.example.yaml");
        Map<String, Consumer<List<JsonNode>>> breakers = new LinkedHashMap<>();
        breakers.put("old API", d -> ((ObjectNode) kc(d)).put("apiVersion", "keycloak.org/v1alpha1"));
        breakers.put("operator's default image", d -> spec(d).remove("image"));
        breakers.put("moving image tag", d -> spec(d).put("image", "quay.io/keycloak/keycloak:26.7"));
        breakers.put("other version than the stack's", d -> spec(d).put("image", "quay.io/keycloak/keycloak:26.5.6"));
        breakers.put("stock image started optimized", d -> spec(d).remove("startOptimized"));
        breakers.put("other database vendor", d -> db(d).put("vendor", "mariadb"));
        breakers.put("database outside the cluster", d -> db(d).put("host", "postgres"));
        breakers.put("read-only replica", d -> db(d).put("host", "bookmarket-pg-ro.bookmarket.svc"));
        breakers.put("a service's database", d -> db(d).put("database", "regrequest"));
        breakers.put("database nobody creates", d -> db(d).put("database", "kc"));
        breakers.put("the services' credentials", d -> ((ObjectNode) db(d).path("passwordSecret")).put("name", "bookmarket-db"));
        breakers.put("password under the user's key", d -> ((ObjectNode) db(d).path("passwordSecret")).put("key", "username"));
        breakers.put("no public hostname", d -> ((ObjectNode) spec(d).path("hostname")).remove("hostname"));
        breakers.put("issuer of the in-cluster URL", d -> ((ObjectNode) spec(d).path("hostname"))
                .put("hostname", "http://bookmarket-keycloak-service.bookmarket.svc:8080"));
        breakers.put("plain HTTP issuer", d -> ((ObjectNode) spec(d).path("hostname")).put("hostname", "http://auth.bookmarket.example.com"));
        breakers.put("backchannel URLs fixed to the public host", d -> ((ObjectNode) spec(d).path("hostname")).remove("backchannelDynamic"));
        breakers.put("no HTTP for the services", d -> ((ObjectNode) spec(d).path("http")).put("httpEnabled", false));
        breakers.put("proxy headers ignored", d -> spec(d).remove("proxy"));
        breakers.put("the operator's Ingress (every path public)", d -> ((ObjectNode) spec(d).path("ingress")).put("enabled", true));
        breakers.put("the operator's Ingress by default", d -> spec(d).remove("ingress"));
        breakers.put("no public Ingress", d -> d.removeIf(x -> "Ingress".equals(x.path("kind").asText())));
        breakers.put("admin console public", d -> addPublicPath(d, "/admin"));
        breakers.put("master realm public", d -> addPublicPath(d, "/realms/master"));
        breakers.put("every path public", d -> addPublicPath(d, "/"));
        breakers.put("login pages' resources not public", d -> publicPaths(d).remove(1));
        breakers.put("only the realm's exact path", d -> ((ObjectNode) publicPaths(d).get(0)).put("pathType", "Exact"));
        breakers.put("realm path without its prefix", d -> ((ObjectNode) publicPaths(d).get(0)).put("path", "/realms"));
        breakers.put("public Ingress on another host", d -> ((ObjectNode) publicIngress(d).at("/spec/rules/0"))
                .put("host", "keycloak.example.com"));
        breakers.put("public Ingress to another Service", d -> ((ObjectNode) publicPaths(d).get(0).at("/backend/service"))
                .put("name", "bookmarket-keycloak-discovery"));
        breakers.put("public Ingress to the management port", d -> ((ObjectNode) publicPaths(d).get(1)
                .at("/backend/service/port")).put("number", 9000));
        breakers.put("public Ingress of another class", d -> ((ObjectNode) publicIngress(d).path("spec"))
                .put("ingressClassName", "traefik"));
        breakers.put("public Ingress with a default backend", d -> ((ObjectNode) publicIngress(d).path("spec"))
                .putObject("defaultBackend").putObject("service").put("name", "bookmarket-keycloak-service")
                .putObject("port").put("number", 8080));
        breakers.put("TLS for another host", d -> ((ArrayNode) publicIngress(d).at("/spec/tls/0/hosts")).removeAll()
                .add("other.example.com"));
        breakers.put("no admin console URL", d -> ((ObjectNode) spec(d).path("hostname")).remove("admin"));
        breakers.put("admin console on the public host", d -> ((ObjectNode) spec(d).path("hostname"))
                .put("admin", "https://auth.bookmarket.example.com"));
        breakers.put("no memory limit", d -> ((ObjectNode) spec(d).path("resources")).remove("limits"));
        breakers.put("services pointed at the public URL", d -> oidcData(d)
                .put("url", "https://auth.bookmarket.example.com/realms/bookmarket"));
        breakers.put("services on the master realm", d -> oidcData(d)
                .put("url", "http://bookmarket-keycloak-service.bookmarket.svc:8080/realms/master"));
        breakers.put("services on the management port", d -> oidcData(d)
                .put("url", "http://bookmarket-keycloak-service.bookmarket.svc:9000/realms/bookmarket"));
        breakers.put("another client for regrequest", d -> oidcData(d).put("regrequest-client-id", "bookmarket-cli"));
        breakers.forEach((what, breaker) -> {
            List<JsonNode> broken = new ArrayList<>(GeneratedManifestsTest.copy(keycloak));
            breaker.accept(broken);
            assertThat(broken.toString()).as(what + " changes the manifest").isNotEqualTo(keycloak.toString());
            assertThatThrownBy(() -> checkKeycloak(broken, postgres, secrets)).as(what).isInstanceOf(AssertionError.class);
        });

        // The database side: the role, the Database resource and the Secret must agree with the CR.
        Map<String, Consumer<List<JsonNode>>> postgresBreakers = new LinkedHashMap<>();
        postgresBreakers.put("no keycloak database", d -> d.removeIf(x -> "keycloak".equals(x.at("/spec/name").asText())));
        postgresBreakers.put("database owned by the services' role", d -> database(d, "keycloak").put("owner", "bookmarket"));
        postgresBreakers.put("role without login", d -> role(d, "keycloak").put("login", false));
        postgresBreakers.put("role with replication", d -> role(d, "keycloak").put("replication", true));
        postgresBreakers.put("role password from another Secret", d -> ((ObjectNode) role(d, "keycloak").path("passwordSecret"))
                .put("name", "bookmarket-db"));
        postgresBreakers.forEach((what, breaker) -> {
            List<JsonNode> broken = new ArrayList<>(GeneratedManifestsTest.copy(postgres));
            breaker.accept(broken);
            assertThatThrownBy(() -> checkKeycloak(keycloak, broken, secrets)).as(what).isInstanceOf(AssertionError.class);
        });
        List<JsonNode> otherUser = GeneratedManifestsTest.copy(secrets);
        ((ObjectNode) secret(otherUser, KEYCLOAK_DB_SECRET).path("stringData")).put("username", "bookmarket");
        assertThatThrownBy(() -> checkKeycloak(keycloak, postgres, otherUser)).as("Secret's user is not the role")
                .isInstanceOf(AssertionError.class);
        List<JsonNode> noSecret = new ArrayList<>(GeneratedManifestsTest.copy(secrets));
        noSecret.removeIf(s -> KEYCLOAK_DB_SECRET.equals(s.at("/metadata/name").asText()));
        assertThatThrownBy(() -> checkKeycloak(keycloak, postgres, noSecret)).as("undocumented Secret")
                .isInstanceOf(AssertionError.class);
        checkKeycloak(GeneratedManifestsTest.copy(keycloak), GeneratedManifestsTest.copy(postgres), GeneratedManifestsTest.copy(secrets));
    }

    /**
     * 35-keycloak.yaml with 20-postgres.yaml and 10-secrets.example.yaml: the operator's Keycloak (v2beta1) runs the
     * pinned stock image (so not optimized) on database keycloak of the CloudNativePG cluster (a Database resource
     * owned by a managed login role without replication, whose password Secret is the one the CR reads, documented
     * with that role as user); the issuer is the public https host (proxy headers) while backchannel URLs follow the
     * request and plain HTTP is on for in-cluster callers; the public host routes only the realm's endpoints and the
     * login pages' resources (our Ingress; the operator's, which routes every path, is off) and the admin console's URL
     * is a port-forward's; ConfigMap bookmarket-oidc gives the services the realm's in-cluster URL and
     * regrequest-service its client id.
     */
    static void checkKeycloak(List<JsonNode> keycloakDocs, List<JsonNode> postgresDocs, List<JsonNode> secrets) {
        JsonNode kc = K8sManifestsTest.one(keycloakDocs, "Keycloak");
        assertThat(kc.path("apiVersion").asText()).isEqualTo("k8s.keycloak.org/v2beta1");
        assertThat(kc.at("/metadata/name").asText()).isEqualTo(RealmImportManifest.KEYCLOAK_CR);
        JsonNode spec = kc.path("spec");
        assertThat(spec.path("image").asText()).as("Keycloak image").isEqualTo(KeycloakChecks.IMAGE);
        assertThat(spec.path("startOptimized").isBoolean() && !spec.path("startOptimized").asBoolean())
                .as("the stock image is not pre-built: startOptimized false").isTrue();
        assertThat(spec.path("instances").asInt(1)).isPositive();

        // Database: its own, in the CloudNativePG cluster, as its own role.
        JsonNode db = spec.path("db");
        JsonNode cluster = K8sManifestsTest.one(postgresDocs, "Cluster");
        String namespace = ConnectorManifests.NAMESPACE;
        assertThat(db.path("vendor").asText()).isEqualTo("postgres");
        assertThat(db.path("host").asText()).as("the cluster's read-write service")
                .isEqualTo(cluster.at("/metadata/name").asText() + "-rw." + namespace + ".svc");
        assertThat(db.path("port").asInt(5432)).isEqualTo(5432);
        String database = db.path("database").asText();
        List<JsonNode> databases = postgresDocs.stream().filter(d -> "Database".equals(d.path("kind").asText())
                && database.equals(d.at("/spec/name").asText())).toList();
        assertThat(databases).as("a Database resource creates %s", database).hasSize(1);
        assertThat(databases.get(0).at("/spec/cluster/name").asText()).isEqualTo(cluster.at("/metadata/name").asText());
        assertThat(database).as("Keycloak's database is its own")
                .isNotIn(GeneratedManifestsTest.DATABASES.values()).isNotEqualTo(cluster.at("/spec/bootstrap/initdb/database").asText());
        String owner = databases.get(0).at("/spec/owner").asText();
        assertThat(owner).as("owner of %s", database).isNotEqualTo(cluster.at("/spec/bootstrap/initdb/owner").asText());
        JsonNode role = null;
        for (JsonNode r : cluster.at("/spec/managed/roles")) {
            if (owner.equals(r.path("name").asText())) {
                role = r;
            }
        }
        assertThat(role).as("managed role %s", owner).isNotNull();
        assertThat(role.path("login").asBoolean()).as("role %s logs in", owner).isTrue();
        assertThat(role.path("replication").asBoolean(false)).as("role %s needs no replication", owner).isFalse();
        String secretName = db.at("/usernameSecret/name").asText();
        assertThat(db.at("/passwordSecret/name").asText()).isEqualTo(secretName);
        assertThat(role.at("/passwordSecret/name").asText()).as("the role's password is the one Keycloak uses").isEqualTo(secretName);
        assertThat(db.at("/usernameSecret/key").asText()).isEqualTo("username");
        assertThat(db.at("/passwordSecret/key").asText()).isEqualTo("password");
        JsonNode secret = secret(secrets, secretName);
        assertThat(secret.path("type").asText()).as("CloudNativePG reads a basic-auth Secret").isEqualTo("kubernetes.io/basic-auth");
        assertThat(secret.at("/stringData/username").asText()).as("Secret %s user", secretName).isEqualTo(owner);
        assertThat(secret.at("/stringData").has("password")).isTrue();

        // Issuer: the public https host for everyone; in-cluster callers use the Service over plain HTTP.
        URI hostname = URI.create(spec.at("/hostname/hostname").asText());
        assertThat(hostname.getScheme()).as("public URL scheme").isEqualTo("https");
        assertThat(hostname.getHost()).as("public host").isNotBlank();
        assertThat(hostname.getPath()).as("no context path").isIn("", "/", null);
        assertThat(spec.at("/hostname/backchannelDynamic").asBoolean()).as("backchannelDynamic").isTrue();
        assertThat(spec.at("/http/httpEnabled").asBoolean()).as("httpEnabled").isTrue();
        assertThat(spec.at("/proxy/headers").asText()).as("proxy headers").isIn("xforwarded", "forwarded");
        assertThat(spec.at("/resources/limits/memory").asText()).as("memory limit").isNotBlank();

        // Public: only what people need. The operator's Ingress (on unless switched off) would route every path of the
        // public host, admin console and master realm included; ours routes the realm's paths and the login resources.
        int httpPort = spec.at("/http/httpPort").asInt(8080);
        assertThat(spec.at("/ingress/enabled").isBoolean() && !spec.at("/ingress/enabled").asBoolean())
                .as("the operator's Ingress is off (spec.ingress.enabled: false)").isTrue();
        checkPublicIngress(keycloakDocs, hostname.getHost(), kc.at("/metadata/name").asText() + "-service", httpPort);
        // The admin console's URL: a port-forward to the Service (kubectl port-forward ... 8080:8080), never the public host.
        URI admin = URI.create(spec.at("/hostname/admin").asText());
        assertThat(admin.getHost()).as("spec.hostname.admin: the admin console's URL is local (a port-forward)")
                .isIn("localhost", "127.0.0.1");
        assertThat(admin.getPort()).as("spec.hostname.admin's port: the port-forward's, Keycloak's HTTP port").isEqualTo(httpPort);

        JsonNode config = K8sManifestsTest.one(keycloakDocs, "ConfigMap");
        assertThat(config.at("/metadata/name").asText()).isEqualTo(OIDC_CONFIG);
        assertThat(config.at("/data/url").asText()).as("the realm's in-cluster URL")
                .isEqualTo("http://" + kc.at("/metadata/name").asText() + "-service." + namespace + ".svc:" + httpPort
                        + "/realms/" + RealmImportManifest.REALM);
        assertThat(config.at("/data/regrequest-client-id").asText()).isEqualTo(KeycloakChecks.SERVICE_CLIENT);
    }

    /**
     * The only Ingress of 35-keycloak.yaml: class nginx, one rule for the issuer's host (and TLS for it, if any), no
     * default backend, and exactly {@link #PUBLIC_PATHS}, each to Keycloak's Service on its HTTP port.
     */
    static void checkPublicIngress(List<JsonNode> keycloakDocs, String publicHost, String service, int httpPort) {
        JsonNode ingress = K8sManifestsTest.one(keycloakDocs, "Ingress");
        assertThat(ingress.path("apiVersion").asText()).isEqualTo("networking.k8s.io/v1");
        assertThat(ingress.at("/spec/ingressClassName").asText()).as("ingress class").isEqualTo("nginx");
        assertThat(ingress.at("/spec/defaultBackend").isMissingNode()).as("no default backend: nothing but the paths")
                .isTrue();
        JsonNode rules = ingress.at("/spec/rules");
        assertThat(rules.size()).as("one rule").isEqualTo(1);
        assertThat(rules.get(0).path("host").asText()).as("the issuer's host").isEqualTo(publicHost);
        for (JsonNode tls : ingress.at("/spec/tls")) {
            assertThat(MariaDbChecks.strings(tls.path("hosts"))).as("TLS hosts").containsExactly(publicHost);
        }
        Map<String, String> paths = new java.util.TreeMap<>();
        for (JsonNode path : rules.get(0).at("/http/paths")) {
            String p = path.path("path").asText();
            assertThat(paths.put(p, path.path("pathType").asText())).as("path %s once", p).isNull();
            assertThat(path.at("/backend/service/name").asText()).as("%s goes to Keycloak's Service", p).isEqualTo(service);
            assertThat(path.at("/backend/service/port/number").asInt()).as("%s: Keycloak's HTTP port", p).isEqualTo(httpPort);
        }
        assertThat(paths).as("the public paths: the realm's endpoints and the login pages' resources, no /admin, no "
                + "/realms/master").isEqualTo(PUBLIC_PATHS);
    }

    // ---- the realm import ----

    @Test
    void realmImportIsTheProductionRealm() {
        checkRealmImport(K8sManifestsTest.one(docs(REALM_IMPORT_FILE), "KeycloakRealmImport"), kc(docs(KEYCLOAK_FILE)),
                docs("10-secrets.example.yaml"));
    }

    @Test
    void brokenRealmImportsAreRefused() {
        JsonNode realmImport = K8sManifestsTest.one(docs(REALM_IMPORT_FILE), "KeycloakRealmImport");
        JsonNode keycloak = kc(docs(KEYCLOAK_FILE));
        List<JsonNode> secrets = docs("10-secrets.example.yaml");
        Map<String, Consumer<ObjectNode>> breakers = new LinkedHashMap<>();
        breakers.put("other Keycloak", r -> ((ObjectNode) r.path("spec")).put("keycloakCRName", "keycloak"));
        breakers.put("other realm", r -> realm(r).put("realm", "master"));
        breakers.put("plain HTTP from anywhere", r -> realm(r).put("sslRequired", "none"));
        breakers.put("a demo user", r -> users(r).addObject().put("username", "publisher100").put("enabled", true));
        breakers.put("a password on the service account", r -> ((ObjectNode) users(r).get(0)).putArray("credentials")
                .addObject().put("type", "password").put("value", "x"));
        breakers.put("no service account", r -> users(r).removeAll());
        breakers.put("service account without its role", r -> ((ObjectNode) users(r).get(0)).putArray("realmRoles"));
        breakers.put("a test client", r -> clients(r).addObject().put("clientId", "short-lived").put("publicClient", true));
        breakers.put("literal client secret", r -> client(r, KeycloakChecks.SERVICE_CLIENT).put("secret", "s3cret"));
        breakers.put("undefined placeholder", r -> client(r, KeycloakChecks.SERVICE_CLIENT).put("secret", "${OTHER_SECRET}"));
        breakers.put("placeholder from another Secret", r -> ((ObjectNode) r.at("/spec/placeholders")
                .elements().next().path("secret")).put("name", "bookmarket-db"));
        breakers.put("placeholder from another key", r -> ((ObjectNode) r.at("/spec/placeholders")
                .elements().next().path("secret")).put("key", "password"));
        breakers.put("service client made public", r -> client(r, KeycloakChecks.SERVICE_CLIENT).put("publicClient", true));
        breakers.put("a contract role missing", r -> ((ArrayNode) realm(r).at("/roles/realm"))
                .removeIf(role -> "reviewer".equals(role.path("name").asText())));
        breakers.put("another confidential client with a literal secret", r -> clients(r).addObject()
                .put("clientId", "batch").put("publicClient", false).put("directAccessGrantsEnabled", false)
                .put("secret", "batch-secret"));
        breakers.put("the CLI client", r -> clients(r).addObject().put("clientId", "bookmarket-cli").put("publicClient", true)
                .put("directAccessGrantsEnabled", false));
        breakers.put("password grant on", r -> client(r, KeycloakChecks.SERVICE_CLIENT).put("directAccessGrantsEnabled", true));
        breakers.put("password grant by default", r -> client(r, KeycloakChecks.SERVICE_CLIENT).remove("directAccessGrantsEnabled"));
        breakers.put("brute-force detection off", r -> realm(r).put("bruteForceProtected", false));
        breakers.put("brute-force detection unset", r -> realm(r).remove("bruteForceProtected"));
        breakers.put("permanent lockout", r -> realm(r).put("permanentLockout", true));
        breakers.put("no password policy", r -> realm(r).remove("passwordPolicy"));
        breakers.put("password policy without a length", r -> realm(r).put("passwordPolicy", "notUsername and notEmail"));
        breakers.put("short passwords", r -> realm(r).put("passwordPolicy", "length(8) and notUsername"));
        breakers.put("a maximum length only", r -> realm(r).put("passwordPolicy", "maxLength(64) and notUsername"));
        breakers.forEach((what, breaker) -> {
            ObjectNode broken = realmImport.deepCopy();
            breaker.accept(broken);
            assertThat(broken).as(what + " changes the manifest").isNotEqualTo(realmImport);
            assertThatThrownBy(() -> checkRealmImport(broken, keycloak, secrets)).as(what).isInstanceOf(AssertionError.class);
        });
        List<JsonNode> noKey = GeneratedManifestsTest.copy(secrets);
        ((ObjectNode) secret(noKey, RealmImportManifest.CLIENT_SECRETS).path("stringData")).remove(KeycloakChecks.SERVICE_CLIENT);
        assertThatThrownBy(() -> checkRealmImport(realmImport, keycloak, noKey)).as("undocumented Secret key")
                .isInstanceOf(AssertionError.class);
        checkRealmImport(realmImport.deepCopy(), keycloak, secrets);
    }

    /**
     * 36-keycloak-realm.yaml (structure only; RealmImportManifestTest compares it with the realm file): realm bookmarket
     * for this Keycloak, at least sslRequired external, brute-force detection on (temporary lockouts only), a password
     * policy with a minimum length of at least {@link #MIN_PASSWORD_LENGTH}, the contract's roles, no users but the
     * service accounts of kept clients (without credentials), no local-only client (the CLI's, the tests'), no client
     * with the password grant, and every confidential client's secret a placeholder from a key of a documented Secret,
     * regrequest-service's from bookmarket-oidc-clients under its client id.
     */
    static void checkRealmImport(JsonNode realmImport, JsonNode keycloak, List<JsonNode> secrets) {
        assertThat(realmImport.path("apiVersion").asText()).isEqualTo(keycloak.path("apiVersion").asText());
        assertThat(realmImport.at("/metadata/namespace").asText()).isEqualTo(ConnectorManifests.NAMESPACE);
        assertThat(realmImport.at("/spec/keycloakCRName").asText()).as("keycloakCRName")
                .isEqualTo(keycloak.at("/metadata/name").asText());
        JsonNode realm = realmImport.at("/spec/realm");
        assertThat(realm.path("realm").asText()).isEqualTo(RealmImportManifest.REALM);
        assertThat(realm.path("sslRequired").asText()).as("sslRequired").isIn("external", "all");
        assertThat(realm.path("bruteForceProtected").asBoolean(false)).as("brute-force detection").isTrue();
        assertThat(realm.path("permanentLockout").asBoolean(false))
                .as("permanent lockout (anyone could lock a known user out for good)").isFalse();
        assertThat(realm.path("failureFactor").asInt(0)).as("failureFactor").isPositive();
        Matcher length = Pattern.compile("(?:^|\\sand\\s)length\\((\\d+)\\)(?:\\sand\\s|$)")
                .matcher(realm.path("passwordPolicy").asText());
        assertThat(length.find()).as("password policy with a minimum length: %s", realm.path("passwordPolicy")).isTrue();
        assertThat(Integer.parseInt(length.group(1))).as("minimum password length").isGreaterThanOrEqualTo(MIN_PASSWORD_LENGTH);
        Set<String> roles = new TreeSet<>();
        realm.at("/roles/realm").forEach(r -> roles.add(r.path("name").asText()));
        assertThat(roles).as("realm roles").containsAll(REALM_ROLES);

        Set<String> clientIds = new TreeSet<>();
        JsonNode placeholders = realmImport.at("/spec/placeholders");
        for (JsonNode client : realm.path("clients")) {
            String id = client.path("clientId").asText();
            clientIds.add(id);
            assertThat(RealmImportManifest.LOCAL_ONLY_CLIENTS).as("local-only client %s in production", id).doesNotContain(id);
            assertThat(client.path("directAccessGrantsEnabled").isBoolean() && !client.path("directAccessGrantsEnabled").asBoolean())
                    .as("client %s: no password grant (directAccessGrantsEnabled false)", id).isTrue();
            boolean confidential = !client.path("publicClient").asBoolean(false) && !client.path("bearerOnly").asBoolean(false);
            if (confidential) {
                Matcher placeholder = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}").matcher(client.path("secret").asText());
                assertThat(placeholder.matches()).as("client %s's secret is a placeholder, never a literal: %s", id,
                        client.path("secret").asText()).isTrue();
                JsonNode ref = placeholders.path(placeholder.group(1)).path("secret");
                assertThat(ref.isObject()).as("placeholder %s is defined", placeholder.group(1)).isTrue();
                assertThat(ref.path("name").asText()).as("client %s's secret", id).isEqualTo(RealmImportManifest.CLIENT_SECRETS);
                assertThat(ref.path("key").asText()).as("client %s's secret key: its client id", id).isEqualTo(id);
            } else {
                assertThat(client.has("secret")).as("public client %s has no secret", id).isFalse();
            }
        }
        placeholders.fields().forEachRemaining(p -> {
            JsonNode ref = p.getValue().path("secret");
            assertThat(secret(secrets, ref.path("name").asText()).at("/stringData").has(ref.path("key").asText()))
                    .as("placeholder %s: documented Secret key", p.getKey()).isTrue();
        });
        JsonNode service = null;
        for (JsonNode client : realm.path("clients")) {
            if (KeycloakChecks.SERVICE_CLIENT.equals(client.path("clientId").asText())) {
                service = client;
            }
        }
        assertThat(service).as("client %s", KeycloakChecks.SERVICE_CLIENT).isNotNull();
        assertThat(service.path("publicClient").asBoolean(false)).as("%s is confidential", KeycloakChecks.SERVICE_CLIENT).isFalse();
        assertThat(service.path("serviceAccountsEnabled").asBoolean()).as("client credentials").isTrue();

        // Users: only service accounts of kept clients, never a credential; regrequest-service's opens reviews.
        boolean opener = false;
        for (JsonNode user : realm.path("users")) {
            String owner = user.path("serviceAccountClientId").asText();
            assertThat(owner).as("user %s is a demo user (only service accounts go to production)",
                    user.path("username").asText()).isNotBlank();
            assertThat(clientIds).as("service account of a kept client").contains(owner);
            assertThat(user.has("credentials")).as("service account %s has no credentials", owner).isFalse();
            if (KeycloakChecks.SERVICE_CLIENT.equals(owner)) {
                opener = MariaDbChecks.strings(user.path("realmRoles")).contains(REVIEW_OPENER);
            }
        }
        assertThat(opener).as("%s's service account has role %s", KeycloakChecks.SERVICE_CLIENT, REVIEW_OPENER).isTrue();
        assertThat(realm.has("federatedUsers")).isFalse();
    }

    // ---- secrets stay out of the files ----

    @Test
    void noManifestOrWorkflowHoldsTheLocalClientSecret() throws IOException {
        String local = Repo.yamlDocuments(root.resolve("infra/docker-compose.yml")).get(0)
                .at("/services/regrequest-service/environment/OIDC_CLIENT_SECRET").asText();
        assertThat(local).as("Compose's local client secret").isNotBlank();
        List<Path> files = new ArrayList<>(K8sManifestsTest.manifestFiles(root));
        files.add(root.resolve(".github/workflows/deploy.yml"));
        for (String service : GeneratedManifestsTest.DATABASES.keySet()) {
            files.add(root.resolve(service).resolve("src/main/kubernetes/kubernetes.yml"));
        }
        for (Path file : files) {
            assertThat(Repo.read(file)).as("%s holds the local client secret", root.relativize(file)).doesNotContain(local);
        }
    }

    // ---- the deploy workflow ----

    @Test
    void deployWorkflowCreatesTheSecretsAndAppliesKeycloakAndTheRealmBeforeTheServices() {
        checkDeployWorkflow(deployWorkflow());
    }

    @Test
    void brokenDeployWorkflowsAreRefused() {
        JsonNode workflow = deployWorkflow();
        Map<String, Consumer<ObjectNode>> breakers = new LinkedHashMap<>();
        breakers.put("no client Secret", w -> editRun(w, RealmImportManifest.CLIENT_SECRETS, r -> r.replace(
                "create secret generic " + RealmImportManifest.CLIENT_SECRETS, "get secret " + RealmImportManifest.CLIENT_SECRETS)));
        breakers.put("client secret under another key", w -> editRun(w, RealmImportManifest.CLIENT_SECRETS, r -> r.replace(
                "--from-literal=" + KeycloakChecks.SERVICE_CLIENT + "=", "--from-literal=secret=")));
        breakers.put("literal client secret", w -> stepEnv(w, RealmImportManifest.CLIENT_SECRETS)
                .put("REGREQUEST_OIDC_CLIENT_SECRET", "s3cret"));
        breakers.put("no Keycloak database Secret", w -> editRun(w, KEYCLOAK_DB_SECRET, r -> r.replace(
                "create secret generic " + KEYCLOAK_DB_SECRET, "get secret " + KEYCLOAK_DB_SECRET)));
        breakers.put("Keycloak not applied", w -> editRun(w, KEYCLOAK_FILE, r -> r.replace(KEYCLOAK_FILE, "35-other.yaml")));
        breakers.put("Keycloak not awaited", w -> editRun(w, KEYCLOAK_FILE, r -> r.replace("--for=condition=Ready", "--for=create")));
        breakers.put("realm import not awaited", w -> editRun(w, REALM_IMPORT_FILE, r -> r.replace("--for=condition=Done", "--for=create")));
        breakers.put("realm before Keycloak", w -> swapSteps(w, KEYCLOAK_FILE, REALM_IMPORT_FILE));
        breakers.put("services before the realm", w -> swapSteps(w, REALM_IMPORT_FILE, "target/kubernetes/kubernetes.yml"));
        breakers.put("Secrets after Keycloak", w -> swapSteps(w, RealmImportManifest.CLIENT_SECRETS, KEYCLOAK_FILE));
        breakers.forEach((what, breaker) -> {
            ObjectNode broken = workflow.deepCopy();
            breaker.accept(broken);
            assertThat(broken).as(what + " changes the workflow").isNotEqualTo(workflow);
            assertThatThrownBy(() -> checkDeployWorkflow(broken)).as(what).isInstanceOf(AssertionError.class);
        });
        checkDeployWorkflow(workflow.deepCopy());
    }

    private JsonNode deployWorkflow() {
        return Repo.yamlDocuments(root.resolve(".github/workflows/deploy.yml")).get(0);
    }

    /**
     * deploy.yml: one step creates Keycloak's database Secret and the clients' Secret (key = client id) from GitHub
     * secrets (never literals) before Keycloak is applied; Keycloak is applied and awaited Ready, then the realm import
     * awaited Done, and only then the services (their OIDC needs the realm at start).
     */
    static void checkDeployWorkflow(JsonNode workflow) {
        JsonNode steps = workflow.at("/jobs/deploy/steps");
        int clients = step(steps, "create secret generic " + RealmImportManifest.CLIENT_SECRETS);
        JsonNode clientsStep = steps.get(clients);
        assertThat(clientsStep.path("run").asText()).as("the client secret under its client id")
                .containsPattern("--from-literal=" + Pattern.quote(KeycloakChecks.SERVICE_CLIENT) + "=\"\\$([A-Z_]+)\"");
        Matcher variable = Pattern.compile("--from-literal=" + Pattern.quote(KeycloakChecks.SERVICE_CLIENT) + "=\"\\$([A-Z_]+)\"")
                .matcher(clientsStep.path("run").asText());
        assertThat(variable.find()).isTrue();
        assertThat(clientsStep.at("/env/" + variable.group(1)).asText()).as("%s comes from a GitHub secret", variable.group(1))
                .matches("\\$\\{\\{ *secrets\\.[A-Z_]+ *}}");
        int database = step(steps, "create secret generic " + KEYCLOAK_DB_SECRET);
        assertThat(steps.get(database).path("run").asText()).contains("--type=kubernetes.io/basic-auth", "--from-literal=username=keycloak");
        assertThat(steps.get(database).path("env").toString()).contains("secrets.KEYCLOAK_DB_PASSWORD");

        int keycloak = step(steps, "infra/k8s/" + KEYCLOAK_FILE);
        assertThat(steps.get(keycloak).path("run").asText()).as("Keycloak is awaited")
                .contains("wait keycloak/" + RealmImportManifest.KEYCLOAK_CR + " --for=condition=Ready");
        int realm = step(steps, "infra/k8s/" + REALM_IMPORT_FILE);
        assertThat(steps.get(realm).path("run").asText()).as("the realm import is awaited")
                .contains("wait keycloakrealmimport/" + RealmImportManifest.IMPORT_NAME + " --for=condition=Done");
        int services = step(steps, "target/kubernetes/kubernetes.yml");
        assertThat(List.of(clients, database)).allMatch(i -> i < keycloak, "Secrets before Keycloak");
        assertThat(keycloak).as("Keycloak before its realm").isLessThan(realm);
        assertThat(realm).as("the realm before the services").isLessThan(services);
    }

    /** The index of the only step whose run script contains this text. */
    private static int step(JsonNode steps, String text) {
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).path("run").asText().contains(text)) {
                found.add(i);
            }
        }
        assertThat(found).as("one deploy step runs '%s'", text).hasSize(1);
        return found.get(0);
    }

    private static void editRun(ObjectNode workflow, String text, java.util.function.UnaryOperator<String> change) {
        ObjectNode s = (ObjectNode) workflow.at("/jobs/deploy/steps").get(step(workflow.at("/jobs/deploy/steps"), text));
        s.put("run", change.apply(s.path("run").asText()));
    }

    private static ObjectNode stepEnv(ObjectNode workflow, String text) {
        return (ObjectNode) workflow.at("/jobs/deploy/steps").get(step(workflow.at("/jobs/deploy/steps"), text)).path("env");
    }

    private static void swapSteps(ObjectNode workflow, String first, String second) {
        ArrayNode steps = (ArrayNode) workflow.at("/jobs/deploy/steps");
        int a = step(steps, first);
        int b = step(steps, second);
        JsonNode stepA = steps.get(a);
        steps.set(a, steps.get(b));
        steps.set(b, stepA);
    }

    // ---- helpers ----

    private static JsonNode publicIngress(List<JsonNode> docs) {
        return K8sManifestsTest.one(docs, "Ingress");
    }

    private static ArrayNode publicPaths(List<JsonNode> docs) {
        return (ArrayNode) publicIngress(docs).at("/spec/rules/0/http/paths");
    }

    /** Another path on the public host, to Keycloak like the others. */
    private static void addPublicPath(List<JsonNode> docs, String path) {
        ObjectNode copy = publicPaths(docs).get(0).deepCopy();
        copy.put("path", path).put("pathType", "Prefix");
        publicPaths(docs).add(copy);
    }

    static JsonNode kc(List<JsonNode> docs) {
        return K8sManifestsTest.one(docs, "Keycloak");
    }

    private static ObjectNode spec(List<JsonNode> docs) {
        return (ObjectNode) kc(docs).path("spec");
    }

    private static ObjectNode db(List<JsonNode> docs) {
        return (ObjectNode) spec(docs).path("db");
    }

    private static ObjectNode oidcData(List<JsonNode> docs) {
        return (ObjectNode) K8sManifestsTest.one(docs, "ConfigMap").path("data");
    }

    private static ObjectNode database(List<JsonNode> docs, String name) {
        return (ObjectNode) docs.stream().filter(d -> "Database".equals(d.path("kind").asText())
                && name.equals(d.at("/spec/name").asText())).findFirst().orElseThrow().path("spec");
    }

    private static ObjectNode role(List<JsonNode> docs, String name) {
        for (JsonNode r : K8sManifestsTest.one(docs, "Cluster").at("/spec/managed/roles")) {
            if (name.equals(r.path("name").asText())) {
                return (ObjectNode) r;
            }
        }
        throw new AssertionError("no managed role " + name);
    }

    static JsonNode secret(List<JsonNode> secrets, String name) {
        return secrets.stream().filter(s -> "Secret".equals(s.path("kind").asText()) && name.equals(s.at("/metadata/name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no Secret " + name + " in 10-secrets.example.yaml"));
    }

    private static ObjectNode realm(ObjectNode realmImport) {
        return (ObjectNode) realmImport.at("/spec/realm");
    }

    private static ArrayNode users(ObjectNode realmImport) {
        return (ArrayNode) realmImport.at("/spec/realm/users");
    }

    private static ArrayNode clients(ObjectNode realmImport) {
        return (ArrayNode) realmImport.at("/spec/realm/clients");
    }

    private static ObjectNode client(ObjectNode realmImport, String id) {
        for (JsonNode c : clients(realmImport)) {
            if (id.equals(c.path("clientId").asText())) {
                return (ObjectNode) c;
            }
        }
        throw new AssertionError("no client " + id);
    }
}
