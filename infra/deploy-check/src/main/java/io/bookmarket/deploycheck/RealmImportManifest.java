package io.bookmarket.deploycheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Generates {@code infra/k8s/36-keycloak-realm.yaml}, the Keycloak operator's {@code KeycloakRealmImport}, from the
 * realm file the local stack and Docker Compose import ({@code infra/keycloak/bookmarket-realm.json}). The realm stays
 * in that one file; production gets it as is, except
 * <ul>
 * <li>no demo users: every user is dropped but the service accounts of the clients kept (their role mappings, e.g.
 * regrequest-service's {@code review-opener}, live on that user), and those keep no credentials;</li>
 * <li>no test clients ({@link #TEST_CLIENTS}: expired and wrong-audience tokens for the test suites);</li>
 * <li>no literal client secret: each confidential client's secret becomes an operator placeholder resolved from
 * Secret {@link #CLIENT_SECRETS}, key = the client id (the same key the service reads as OIDC_CLIENT_SECRET);</li>
 * <li>{@code sslRequired} at least {@code external} (the local file may allow plain HTTP from anywhere).</li>
 * </ul>
 * Regenerate with {@code ./mvnw -B -f infra/deploy-check/pom.xml verify -Dk8s.regenerate=true}; the plain build
 * fails while the checked-in file differs from what this class renders.
 */
public final class RealmImportManifest {

    public static final String REALM_FILE = "infra/keycloak/bookmarket-realm.json";
    public static final String OUTPUT = "infra/k8s/36-keycloak-realm.yaml";
    public static final String KEYCLOAK_FILE = "infra/k8s/35-keycloak.yaml";

    public static final String REALM = "bookmarket";
    public static final String KEYCLOAK_CR = "bookmarket-keycloak";
    public static final String IMPORT_NAME = "bookmarket-realm";
    /** Secret with one key per confidential client (key = client id). */
    public static final String CLIENT_SECRETS = "bookmarket-oidc-clients";

    /** Clients only the test suites use: a 2 s token lifespan, and tokens without the services' audience. */
    public static final List<String> TEST_CLIENTS = List.of("short-lived", "other-app");

    /** Confidential client id -> the placeholder (an environment variable of the import job) its secret becomes. */
    public static final Map<String, String> CLIENT_SECRET_PLACEHOLDERS = Map.of(
            "regrequest-service", "REGREQUEST_SERVICE_CLIENT_SECRET");

    private RealmImportManifest() {
    }

    /** The repository's realm file; fails with the path when it is missing. */
    public static JsonNode realmFile(Path root) {
        Path file = root.resolve(REALM_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("No realm file " + file + ": the local stack, Docker Compose and this "
                    + "generator all import it");
        }
        return Repo.json(file);
    }

    /** The realm as production imports it: see the class comment for what changes and why. */
    public static ObjectNode productionRealm(JsonNode source) {
        if (!source.isObject() || !REALM.equals(source.path("realm").asText())) {
            throw new IllegalArgumentException("Not the realm " + REALM + ": realm=" + source.path("realm"));
        }
        ObjectNode realm = source.deepCopy();
        if (!"all".equals(realm.path("sslRequired").asText())) {
            realm.put("sslRequired", "external");
        }

        Set<String> clientIds = new TreeSet<>();
        realm.path("clients").forEach(c -> clientIds.add(c.path("clientId").asText()));
        for (String required : concat(TEST_CLIENTS, CLIENT_SECRET_PLACEHOLDERS.keySet())) {
            if (!clientIds.contains(required)) {
                throw new IllegalArgumentException("The realm has no client " + required + " (clients: " + clientIds
                        + "); update " + RealmImportManifest.class.getSimpleName() + " if it was renamed");
            }
        }
        ArrayNode clients = (ArrayNode) realm.path("clients");
        for (Iterator<JsonNode> it = clients.elements(); it.hasNext();) {
            ObjectNode client = (ObjectNode) it.next();
            String id = client.path("clientId").asText();
            if (TEST_CLIENTS.contains(id)) {
                it.remove();
            } else if (client.path("publicClient").asBoolean(false) || client.path("bearerOnly").asBoolean(false)) {
                client.remove("secret");
            } else {
                String placeholder = CLIENT_SECRET_PLACEHOLDERS.get(id);
                if (placeholder == null) {
                    throw new IllegalArgumentException("Confidential client " + id + " has no secret in Secret "
                            + CLIENT_SECRETS + ": add it to CLIENT_SECRET_PLACEHOLDERS (and to the Secret)");
                }
                client.put("secret", "${" + placeholder + "}");
            }
        }
        // What else names a dropped client.
        TEST_CLIENTS.forEach(id -> {
            if (realm.path("roles").path("client").isObject()) {
                ((ObjectNode) realm.path("roles").path("client")).remove(id);
            }
            if (realm.path("clientScopeMappings").isObject()) {
                ((ObjectNode) realm.path("clientScopeMappings")).remove(id);
            }
        });
        if (realm.path("scopeMappings").isArray()) {
            ((ArrayNode) realm.path("scopeMappings")).removeIf(m -> TEST_CLIENTS.contains(m.path("client").asText()));
        }

        // Users: only the service accounts of the clients kept, without credentials.
        if (realm.path("users").isArray()) {
            ArrayNode users = (ArrayNode) realm.path("users");
            users.removeIf(u -> {
                String owner = u.path("serviceAccountClientId").asText();
                return owner.isBlank() || TEST_CLIENTS.contains(owner);
            });
            users.forEach(u -> ((ObjectNode) u).remove("credentials"));
        }
        realm.remove("federatedUsers");
        return realm;
    }

    /** The KeycloakRealmImport holding the production realm, with a placeholder per confidential client's secret. */
    public static ObjectNode realmImport(JsonNode source) {
        ObjectNode realm = productionRealm(source);
        ObjectNode resource = Repo.JSON.createObjectNode();
        resource.put("apiVersion", "k8s.keycloak.org/v2beta1");
        resource.put("kind", "KeycloakRealmImport");
        ObjectNode metadata = resource.putObject("metadata");
        metadata.put("name", IMPORT_NAME);
        metadata.put("namespace", ConnectorManifests.NAMESPACE);
        metadata.putObject("labels").put("app.kubernetes.io/part-of", "bookmarket");
        ObjectNode spec = resource.putObject("spec");
        spec.put("keycloakCRName", KEYCLOAK_CR);
        ObjectNode placeholders = spec.putObject("placeholders");
        realm.path("clients").forEach(c -> {
            String placeholder = CLIENT_SECRET_PLACEHOLDERS.get(c.path("clientId").asText());
            if (placeholder != null && c.has("secret")) {
                ObjectNode secret = placeholders.putObject(placeholder).putObject("secret");
                secret.put("name", CLIENT_SECRETS);
                secret.put("key", c.path("clientId").asText());
            }
        });
        spec.set("realm", realm);
        return resource;
    }

    public static String render(JsonNode source) {
        YAMLMapper yaml = YAMLMapper.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                // Long strings (the user profile's JSON) stay on one line, as in the realm file.
                .disable(YAMLGenerator.Feature.SPLIT_LINES)
                .build();
        StringBuilder out = new StringBuilder()
                .append("# GENERATED by infra/deploy-check (io.bookmarket.deploycheck.RealmImportManifest) from\n")
                .append("# ").append(REALM_FILE).append(". Do not edit: change the realm file, then run\n")
                .append("#   ./mvnw -B -f infra/deploy-check/pom.xml verify -Dk8s.regenerate=true\n")
                .append("# Production differs from the file only in: no demo users (only the clients' service accounts, without\n")
                .append("# credentials), no test clients (").append(String.join(", ", TEST_CLIENTS))
                .append("), client secrets from Secret ").append(CLIENT_SECRETS).append(",\n")
                .append("# sslRequired at least external. The operator imports a realm only if it does not exist yet: later\n")
                .append("# changes to the file must be made in Keycloak as well (admin console or admin API).\n");
        try {
            out.append("---\n").append(yaml.writeValueAsString(realmImport(source)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static String render(Path root) {
        return render(realmFile(root));
    }

    private static List<String> concat(List<String> a, Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Writes the manifest file; {@code args[0]} may name the repository root. */
    public static void main(String[] args) throws IOException {
        Path root = args.length > 0 ? Path.of(args[0]) : Repo.root();
        Files.writeString(root.resolve(OUTPUT), render(root));
        System.out.println("Wrote " + root.resolve(OUTPUT));
    }
}
