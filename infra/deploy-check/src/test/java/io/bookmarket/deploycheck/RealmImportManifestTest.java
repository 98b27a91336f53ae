package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The realm has one source, infra/keycloak/bookmarket-realm.json (local stack, Docker Compose): the Kubernetes realm
 * import is generated from it and must be what the generator renders now; the generator removes exactly the demo
 * users, their passwords, the test clients and the literal client secrets.
 */
class RealmImportManifestTest {

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
        assertThat(users).contains("publisher100", "publisher200", "reviewer", "admin");
        List<String> productionUsers = new ArrayList<>();
        K8sManifestsTest.single(root, KeycloakManifestsTest.REALM_IMPORT_FILE, "KeycloakRealmImport").at("/spec/realm/users")
                .forEach(u -> productionUsers.add(u.path("username").asText()));
        assertThat(productionUsers).as("users in production").doesNotContainAnyElementsOf(
                List.of("publisher100", "publisher200", "reviewer", "admin"));
        assertThat(Repo.read(root.resolve(RealmImportManifest.OUTPUT))).doesNotContain(client.path("secret").asText());
    }

    @Test
    void theGeneratorDropsExactlyDemoUsersTestClientsAndLiteralSecrets() throws IOException {
        JsonNode source = contractRealm();
        ObjectNode production = RealmImportManifest.productionRealm(source);

        assertThat(production.path("sslRequired").asText()).isEqualTo("external");
        assertThat(production.path("roles")).isEqualTo(source.path("roles"));
        assertThat(production.path("components")).as("the user profile declaring publId").isEqualTo(source.path("components"));
        List<String> clientIds = new ArrayList<>();
        production.path("clients").forEach(c -> clientIds.add(c.path("clientId").asText()));
        assertThat(clientIds).containsExactly("bookmarket-cli", KeycloakChecks.SERVICE_CLIENT);
        assertThat(client(production, "bookmarket-cli")).isEqualTo(client(source, "bookmarket-cli"));
        ObjectNode expectedService = client(source, KeycloakChecks.SERVICE_CLIENT).deepCopy();
        expectedService.put("secret", "${REGREQUEST_SERVICE_CLIENT_SECRET}");
        assertThat(client(production, KeycloakChecks.SERVICE_CLIENT)).isEqualTo(expectedService);

        assertThat(production.path("users").size()).as("only the service account").isEqualTo(1);
        JsonNode account = production.path("users").get(0);
        assertThat(account.path("serviceAccountClientId").asText()).isEqualTo(KeycloakChecks.SERVICE_CLIENT);
        assertThat(MariaDbChecks.strings(account.path("realmRoles"))).containsExactly("review-opener");
        assertThat(account.has("credentials")).isFalse();

        // Nothing else differs.
        ObjectNode rest = production.deepCopy();
        ObjectNode sourceRest = source.deepCopy();
        for (String key : List.of("sslRequired", "clients", "users")) {
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
                "\"short-lived\"", "\"other-app\"");
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

        // A public client's secret (meaningless) and a bearer-only client's are dropped, never copied.
        ObjectNode publicWithSecret = (ObjectNode) contractRealm();
        client(publicWithSecret, "bookmarket-cli").put("secret", "leaked");
        assertThat(client(RealmImportManifest.productionRealm(publicWithSecret), "bookmarket-cli").has("secret")).isFalse();
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
