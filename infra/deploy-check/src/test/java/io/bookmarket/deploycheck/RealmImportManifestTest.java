package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The realm has one source, infra/keycloak/bookmarket-realm.json (local stack, Docker Compose): the Kubernetes realm
 * import is generated from it and must be what the generator renders now; the generator removes exactly the demo
 * users, their passwords, the local-only clients (the CLI's password grant, the test clients) and the literal client
 * secrets, turns the password grant off and enforces brute-force detection and a password policy. The local realm
 * keeps the demo users and the CLI's password grant, with the same brute-force detection.
 */
class RealmImportManifestTest {

    /** The demo users of the local realm (the README's, infra/token.sh's); password = user name. */
    static final List<String> DEMO_USERS = List.of("publisher100", "publisher200", "reviewer", "admin");
    static final String CLI_CLIENT = "bookmarket-cli";

    private final Path root = Repo.root();

    /** The realm file itself: the generator's input everywhere. */
    static JsonNode contractRealm() {
        return RealmImportManifest.realmFile(Repo.root());
    }

    @Test
    void checkedInRealmImportIsWhatTheGeneratorRendersFromTheRealmFile() throws IOException {
        Path output = root.resolve(RealmImportManifest.OUTPUT);
        String rendered = RealmImportManifest.render(root);
        if (Boolean.getBoolean("k8s.regenerate")) {
            Files.writeString(output, rendered);
            System.out.println("Regenerated " + output);
        }
        assertThat(output).exists();
        assertThat(Repo.read(output))
                .as("%s is out of date with %s; regenerate it with "
                        + "./mvnw -B -f infra/deploy-check/pom.xml verify -Dk8s.regenerate=true",
                        RealmImportManifest.OUTPUT, RealmImportManifest.REALM_FILE)
                .isEqualTo(rendered);
    }

    @Test
    void theRealmFileIsTheContractsAndComposeGivesRegrequestItsClientSecret() {
        JsonNode realm = RealmImportManifest.realmFile(root);
        assertThat(realm.path("realm").asText()).isEqualTo(RealmImportManifest.REALM);
        JsonNode client = client(realm, KeycloakChecks.SERVICE_CLIENT);
        assertThat(client.path("secret").asText()).as("the realm file's local secret of %s", KeycloakChecks.SERVICE_CLIENT)
                .isNotBlank()
                .isEqualTo(Repo.yamlDocuments(root.resolve("infra/docker-compose.yml")).get(0)
                        .at("/services/regrequest-service/environment/OIDC_CLIENT_SECRET").asText());
        // The demo users the README lists exist locally (with passwords), and none of them reaches production.
        List<String> users = new ArrayList<>();
        realm.path("users").forEach(u -> users.add(u.path("username").asText()));
        assertThat(users).containsAll(DEMO_USERS);
        List<String> productionUsers = new ArrayList<>();
        K8sManifestsTest.single(root, KeycloakManifestsTest.REALM_IMPORT_FILE, "KeycloakRealmImport").at("/spec/realm/users")
                .forEach(u -> productionUsers.add(u.path("username").asText()));
        assertThat(productionUsers).as("users in production").doesNotContainAnyElementsOf(DEMO_USERS);
        assertThat(Repo.read(root.resolve(RealmImportManifest.OUTPUT))).doesNotContain(client.path("secret").asText());
    }

    /**
     * The pages' client: code flow with PKCE (S256), no password grant, locally on both loopback names (any port), in
     * production on the public host only; its local secret is the one Compose and the launcher give the services.
     */
    @Test
    void thePagesClientSignsPeopleInWithPkceOnLoopbackLocallyAndOnThePublicHostInProduction() {
        JsonNode local = client(RealmImportManifest.realmFile(root), RealmImportManifest.WEB_CLIENT);
        assertThat(local.path("standardFlowEnabled").asBoolean()).isTrue();
        assertThat(local.path("directAccessGrantsEnabled").asBoolean()).isFalse();
        assertThat(local.at("/attributes/pkce.code.challenge.method").asText()).isEqualTo("S256");
        assertThat(MariaDbChecks.strings(local.path("redirectUris"))).containsExactly("http://127.0.0.1/ui/*", "http://localhost/ui/*");
        assertThat(local.path("secret").asText()).hasSizeGreaterThanOrEqualTo(32)
                .isEqualTo(Repo.yamlDocuments(root.resolve("infra/docker-compose.yml")).get(0)
                        .at("/services/approval-service/environment/UI_CLIENT_SECRET").asText());
        JsonNode production = client(K8sManifestsTest.single(root, KeycloakManifestsTest.REALM_IMPORT_FILE, "KeycloakRealmImport")
                .at("/spec/realm"), RealmImportManifest.WEB_CLIENT);
        assertThat(MariaDbChecks.strings(production.path("redirectUris"))).containsExactly(RealmImportManifest.PUBLIC_URL + "/ui/*");
        assertThat(production.at("/attributes/post.logout.redirect.uris").asText()).isEqualTo(RealmImportManifest.PUBLIC_URL + "/*");
        assertThat(production.path("secret").asText()).isEqualTo("${BOOKMARKET_WEB_CLIENT_SECRET}");
        assertThat(production.at("/attributes/pkce.code.challenge.method").asText()).isEqualTo("S256");
    }

    /**
     * The local realm (the stack's, Docker Compose's): the demo users with their passwords and the CLI client with the
     * password grant (infra/token.sh, the suites' token helper), and the same brute-force detection as production.
     */
    static void checkLocalRealm(JsonNode realm) {
        RealmImportManifest.bruteForceDetection().fields().forEachRemaining(setting -> assertThat(realm.path(setting.getKey()))
                .as("local realm's %s (the same brute-force detection as production)", setting.getKey())
                .isEqualTo(setting.getValue()));
        assertThat(realm.path("bruteForceProtected").asBoolean()).as("local brute-force detection").isTrue();
        for (String user : DEMO_USERS) {
            JsonNode found = null;
            for (JsonNode u : realm.path("users")) {
                if (user.equals(u.path("username").asText())) {
                    found = u;
                }
            }
            assertThat(found).as("demo user %s", user).isNotNull();
            assertThat(found.path("enabled").asBoolean(true)).as("demo user %s enabled", user).isTrue();
            assertThat(found.at("/credentials/0/type").asText()).as("demo user %s's password", user).isEqualTo("password");
        }
        JsonNode cli = null;
        for (JsonNode c : realm.path("clients")) {
            if (CLI_CLIENT.equals(c.path("clientId").asText())) {
                cli = c;
            }
        }
        assertThat(cli).as("client %s (infra/token.sh)", CLI_CLIENT).isNotNull();
        assertThat(cli.path("publicClient").asBoolean()).as("%s is public", CLI_CLIENT).isTrue();
        assertThat(cli.path("directAccessGrantsEnabled").asBoolean()).as("%s's password grant, locally", CLI_CLIENT).isTrue();
    }

    @Test
    void theLocalRealmKeepsTheDemoUsersAndTheCliPasswordGrantWithTheSameBruteForceDetection() {
        JsonNode realm = contractRealm();
        checkLocalRealm(realm);
        Map<String, Consumer<ObjectNode>> breakers = new LinkedHashMap<>();
        breakers.put("brute-force detection off", r -> r.put("bruteForceProtected", false));
        breakers.put("brute-force detection unset", r -> r.remove("bruteForceProtected"));
        breakers.put("other failure factor than production's", r -> r.put("failureFactor", 3));
        breakers.put("permanent lockout", r -> r.put("permanentLockout", true));
        breakers.put("a demo user missing", r -> ((ArrayNode) r.path("users"))
                .removeIf(u -> "reviewer".equals(u.path("username").asText())));
        breakers.put("a demo user without a password", r -> user(r, "publisher200").remove("credentials"));
        breakers.put("no CLI client", r -> ((ArrayNode) r.path("clients"))
                .removeIf(c -> CLI_CLIENT.equals(c.path("clientId").asText())));
        breakers.put("the CLI without the password grant", r -> client(r, CLI_CLIENT).put("directAccessGrantsEnabled", false));
        breakers.forEach((what, breaker) -> {
            ObjectNode broken = realm.deepCopy();
            breaker.accept(broken);
            assertThat(broken).as(what + " changes the realm").isNotEqualTo(realm);
            assertThatThrownBy(() -> checkLocalRealm(broken)).as(what).isInstanceOf(AssertionError.class);
        });
    }

    @Test
    void theGeneratorDropsExactlyDemoUsersLocalOnlyClientsPasswordGrantsAndLiteralSecrets() throws IOException {
        JsonNode source = contractRealm();
        ObjectNode production = RealmImportManifest.productionRealm(source);

        assertThat(production.path("sslRequired").asText()).isEqualTo("external");
        assertThat(production.path("bruteForceProtected").asBoolean()).as("brute-force detection").isTrue();
        RealmImportManifest.bruteForceDetection().fields().forEachRemaining(setting -> assertThat(production.path(setting.getKey()))
                .as(setting.getKey()).isEqualTo(setting.getValue()));
        assertThat(production.path("passwordPolicy").asText()).as("password policy")
                .isEqualTo(RealmImportManifest.PASSWORD_POLICY).containsPattern("(^| )length\\(\\d+\\)");
        assertThat(production.path("roles")).isEqualTo(source.path("roles"));
        assertThat(production.path("components")).as("the user profile declaring publId").isEqualTo(source.path("components"));
        List<String> clientIds = new ArrayList<>();
        production.path("clients").forEach(c -> clientIds.add(c.path("clientId").asText()));
        assertThat(clientIds).containsExactly(KeycloakChecks.SERVICE_CLIENT, RealmImportManifest.WEB_CLIENT).doesNotContain(CLI_CLIENT);
        production.path("clients").forEach(c -> assertThat(c.path("directAccessGrantsEnabled").asBoolean(true))
                .as("client %s's password grant", c.path("clientId").asText()).isFalse());
        ObjectNode expectedService = client(source, KeycloakChecks.SERVICE_CLIENT).deepCopy();
        expectedService.put("secret", "${REGREQUEST_SERVICE_CLIENT_SECRET}");
        expectedService.put("directAccessGrantsEnabled", false);
        assertThat(client(production, KeycloakChecks.SERVICE_CLIENT)).isEqualTo(expectedService);

        assertThat(production.path("users").size()).as("only the service account").isEqualTo(1);
        JsonNode account = production.path("users").get(0);
        assertThat(account.path("serviceAccountClientId").asText()).isEqualTo(KeycloakChecks.SERVICE_CLIENT);
        assertThat(MariaDbChecks.strings(account.path("realmRoles"))).containsExactly("review-opener");
        assertThat(account.has("credentials")).isFalse();

        // Nothing else differs.
        ObjectNode rest = production.deepCopy();
        ObjectNode sourceRest = source.deepCopy();
        List<String> changed = new ArrayList<>(List.of("sslRequired", "passwordPolicy", "clients", "users"));
        RealmImportManifest.bruteForceDetection().fieldNames().forEachRemaining(changed::add);
        for (String key : changed) {
            rest.remove(key);
            sourceRest.remove(key);
        }
        assertThat(rest).isEqualTo(sourceRest);

        // The rendered resource passes the manifest checks, and no password or secret of the file is in it.
        String rendered = RealmImportManifest.render(source);
        JsonNode resource = Repo.YAML.readTree(rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        KeycloakManifestsTest.checkRealmImport(resource, KeycloakManifestsTest.kc(K8sManifestsTest.documents(root,
                KeycloakManifestsTest.KEYCLOAK_FILE)), K8sManifestsTest.documents(root, "10-secrets.example.yaml"));
        assertThat(rendered).doesNotContain("regrequest-service-local-secret", "\"publisher100\"", "\"credentials\"",
                "\"short-lived\"", "\"other-app\"", "\"bookmarket-cli\"", "directAccessGrantsEnabled: true");
        // The source is not modified.
        assertThat(source).isEqualTo(contractRealm());
    }

    @Test
    void theGeneratorRefusesWhatItCannotMakeSafe() {
        ObjectNode unknownConfidential = (ObjectNode) contractRealm();
        ((ArrayNode) unknownConfidential.path("clients")).addObject().put("clientId", "batch").put("publicClient", false)
                .put("secret", "batch-secret");
        assertThatThrownBy(() -> RealmImportManifest.productionRealm(unknownConfidential))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch");

        ObjectNode renamedTestClient = (ObjectNode) contractRealm();
        client(renamedTestClient, "short-lived").put("clientId", "expiring");
        assertThatThrownBy(() -> RealmImportManifest.productionRealm(renamedTestClient))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("short-lived");

        ObjectNode otherRealm = (ObjectNode) contractRealm();
        otherRealm.put("realm", "master");
        assertThatThrownBy(() -> RealmImportManifest.productionRealm(otherRealm)).isInstanceOf(IllegalArgumentException.class);

        ObjectNode renamedCli = (ObjectNode) contractRealm();
        client(renamedCli, CLI_CLIENT).put("clientId", "cli");
        assertThatThrownBy(() -> RealmImportManifest.productionRealm(renamedCli))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(CLI_CLIENT);

        // A public client's secret (meaningless) and a bearer-only client's are dropped, never copied.
        ObjectNode publicWithSecret = (ObjectNode) contractRealm();
        ((ArrayNode) publicWithSecret.path("clients")).addObject().put("clientId", "web").put("publicClient", true)
                .put("secret", "leaked");
        assertThat(client(RealmImportManifest.productionRealm(publicWithSecret), "web").has("secret")).isFalse();
    }

    /**
     * Whatever the realm file says, production gets brute-force detection with the generator's settings, its password
     * policy and no password grant on any client; and nothing that names a local-only client survives.
     */
    @Test
    void theGeneratorEnforcesBruteForceDetectionThePasswordPolicyAndNoPasswordGrant() {
        ObjectNode lax = (ObjectNode) contractRealm();
        RealmImportManifest.bruteForceDetection().fieldNames().forEachRemaining(lax::remove);
        lax.put("failureFactor", 1000);
        lax.put("permanentLockout", true);
        lax.put("passwordPolicy", "length(1)");
        client(lax, KeycloakChecks.SERVICE_CLIENT).put("directAccessGrantsEnabled", true);
        ((ArrayNode) lax.path("clients")).addObject().put("clientId", "web").put("publicClient", true)
                .put("standardFlowEnabled", true); // no directAccessGrantsEnabled at all
        // Everything that can name the CLI client: its roles, its scope, others' roles in its scope, role mappings.
        ObjectNode clientRoles = ((ObjectNode) lax.path("roles")).putObject("client");
        clientRoles.putArray(CLI_CLIENT).addObject().put("name", "cli-user");
        clientRoles.putArray(KeycloakChecks.SERVICE_CLIENT).addObject().put("name", "opener")
                .putObject("composites").putObject("client").putArray(CLI_CLIENT).add("cli-user");
        ((ObjectNode) lax.at("/roles/realm/0")).putObject("composites").putObject("client").putArray(CLI_CLIENT).add("cli-user");
        lax.putArray("scopeMappings").addObject().put("client", CLI_CLIENT).putArray("roles").add("publisher");
        ObjectNode scopes = lax.putObject("clientScopeMappings");
        scopes.putArray(CLI_CLIENT).addObject().put("client", KeycloakChecks.SERVICE_CLIENT).putArray("roles").add("cli-user");
        scopes.putArray(KeycloakChecks.SERVICE_CLIENT).addObject().put("client", CLI_CLIENT).putArray("roles").add("opener");
        user(lax, "service-account-" + KeycloakChecks.SERVICE_CLIENT).putObject("clientRoles").putArray(CLI_CLIENT).add("cli-user");
        lax.putArray("groups").addObject().put("name", "g").putArray("subGroups").addObject().put("name", "sub")
                .putObject("clientRoles").putArray(CLI_CLIENT).add("cli-user");

        ObjectNode production = RealmImportManifest.productionRealm(lax);
        RealmImportManifest.bruteForceDetection().fields().forEachRemaining(setting -> assertThat(production.path(setting.getKey()))
                .as(setting.getKey()).isEqualTo(setting.getValue()));
        assertThat(production.path("passwordPolicy").asText()).isEqualTo(RealmImportManifest.PASSWORD_POLICY);
        assertThat(production.path("clients").size()).as("regrequest-service, bookmarket-web and web").isEqualTo(3);
        production.path("clients").forEach(c -> assertThat(c.path("directAccessGrantsEnabled").isBoolean()
                && !c.path("directAccessGrantsEnabled").asBoolean()).as("client %s: directAccessGrantsEnabled false",
                c.path("clientId").asText()).isTrue());
        assertThat(production.toString()).as("what names %s in production", CLI_CLIENT).doesNotContain(CLI_CLIENT);
        assertThat(production.at("/roles/client/" + KeycloakChecks.SERVICE_CLIENT + "/0/name").asText())
                .as("the kept client's own role").isEqualTo("opener");
        assertThat(production.path("clientScopeMappings").has(KeycloakChecks.SERVICE_CLIENT)).isTrue();
        // The settings sit together where the file has sslRequired, the policy last.
        List<String> keys = new ArrayList<>();
        production.fieldNames().forEachRemaining(keys::add);
        int ssl = keys.indexOf("sslRequired");
        assertThat(keys.subList(ssl + 1, ssl + 10)).containsExactly("bruteForceProtected", "permanentLockout", "failureFactor",
                "waitIncrementSeconds", "maxFailureWaitSeconds", "maxDeltaTimeSeconds", "quickLoginCheckMilliSeconds",
                "minimumQuickLoginWaitSeconds", "passwordPolicy");
    }

    private static ObjectNode user(JsonNode realm, String username) {
        for (JsonNode u : realm.path("users")) {
            if (username.equals(u.path("username").asText())) {
                return (ObjectNode) u;
            }
        }
        throw new AssertionError("no user " + username);
    }

    private static ObjectNode client(JsonNode realm, String id) {
        for (JsonNode c : realm.path("clients")) {
            if (id.equals(c.path("clientId").asText())) {
                return (ObjectNode) c;
            }
        }
        throw new AssertionError("no client " + id);
    }
}
