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
 * <li>no local-only clients ({@link #LOCAL_ONLY_CLIENTS}: the command line's password grant, the test suites'
 * clients), nor anything else that names them (client roles, scope mappings, role mappings of the users kept);</li>
 * <li>no password grant: {@code directAccessGrantsEnabled} false on every client kept (people sign in on Keycloak's
 * own login pages; no application ever handles their password);</li>
 * <li>no literal client secret: each confidential client's secret becomes an operator placeholder resolved from
 * Secret {@link #CLIENT_SECRETS}, key = the client id (the same key the service reads as OIDC_CLIENT_SECRET);</li>
 * <li>the pages' addresses on the public host: each redirect URI (and post-logout redirect URI) of the local loopback
 * hosts, {@code http://127.0.0.1} and {@code http://localhost} on any port, becomes the same path under
 * {@link #PUBLIC_URL};</li>
 * <li>{@code sslRequired} at least {@code external} (the local file may allow plain HTTP from anywhere);</li>
 * <li>brute-force detection always on, with {@link #bruteForceDetection()}'s settings whatever the file says (the
 * local file has the same: the suites never fail a password, so it costs them nothing), and the password policy
 * {@link #PASSWORD_POLICY} (not in the file: the demo users' passwords are their names).</li>
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

    /**
     * Clients of the local system only, dropped from production with everything that names them: bookmarket-cli, the
     * public client with the password grant that infra/token.sh and the suites' token helper use for the demo users;
     * short-lived and other-app, the suites' clients (a 2 s token lifespan, tokens without the services' audience).
     */
    public static final List<String> LOCAL_ONLY_CLIENTS = List.of("bookmarket-cli", "short-lived", "other-app");

    /**
     * Production's password policy (Keycloak's syntax): at least 12 characters, neither the user name nor the e-mail
     * address, none of the last 5 passwords.
     */
    public static final String PASSWORD_POLICY = "length(12) and notUsername and notEmail and passwordHistory(5)";

    /** The pages' client (authorization code flow with PKCE; regrequest-service's and approval-service's pages). */
    public static final String WEB_CLIENT = "bookmarket-web";

    /** Confidential client id -> the placeholder (an environment variable of the import job) its secret becomes. */
    public static final Map<String, String> CLIENT_SECRET_PLACEHOLDERS = Map.of(
            "regrequest-service", "REGREQUEST_SERVICE_CLIENT_SECRET",
            WEB_CLIENT, "BOOKMARKET_WEB_CLIENT_SECRET");

    /**
     * Where people reach the pages in production: the services' Ingress host as built by default
     * ({@code quarkus.kubernetes.ingress.host=${BOOKMARKET_HOST:bookmarket.example.com}}); the deploy workflow puts
     * the configured host in its place, in the services' build and in this import alike.
     */
    public static final String PUBLIC_URL = "https://bookmarket.example.com";

    /** The local loopback origins of the realm file's redirect URIs (Keycloak ignores their port). */
    private static final List<String> LOCAL_ORIGINS = List.of("http://127.0.0.1", "http://localhost");

    private RealmImportManifest() {
    }

    /**
     * Brute-force detection of realm bookmarket, production and local alike (the realm file has the same settings):
     * from a user's 10th failed login on, each failure refuses the user's logins for 60 s per 10 failures so far, at
     * most 15 minutes; two failures within 1 s (a script, not a person) refuse them for 60 s; failures are forgotten
     * 12 h after the last one. Never a permanent lockout: anyone could lock a known user name out for good. Only
     * failed logins count (the suites fail none of a demo user's), and a successful login clears them.
     */
    public static ObjectNode bruteForceDetection() {
        ObjectNode settings = Repo.JSON.createObjectNode();
        settings.put("bruteForceProtected", true);
        settings.put("permanentLockout", false);
        settings.put("failureFactor", 10);
        settings.put("waitIncrementSeconds", 60);
        settings.put("maxFailureWaitSeconds", 900);
        settings.put("maxDeltaTimeSeconds", 43200);
        settings.put("quickLoginCheckMilliSeconds", 1000);
        settings.put("minimumQuickLoginWaitSeconds", 60);
        return settings;
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
        // The security settings, where the file has the first of them (sslRequired), in this order.
        ObjectNode security = Repo.JSON.createObjectNode();
        security.put("sslRequired", "all".equals(source.path("sslRequired").asText()) ? "all" : "external");
        security.setAll(bruteForceDetection());
        security.put("passwordPolicy", PASSWORD_POLICY);
        ObjectNode realm = withSettings((ObjectNode) source.deepCopy(), security);

        Set<String> clientIds = new TreeSet<>();
        realm.path("clients").forEach(c -> clientIds.add(c.path("clientId").asText()));
        for (String required : concat(LOCAL_ONLY_CLIENTS, CLIENT_SECRET_PLACEHOLDERS.keySet())) {
            if (!clientIds.contains(required)) {
                throw new IllegalArgumentException("The realm has no client " + required + " (clients: " + clientIds
                        + "); update " + RealmImportManifest.class.getSimpleName() + " if it was renamed");
            }
        }
        ArrayNode clients = (ArrayNode) realm.path("clients");
        for (Iterator<JsonNode> it = clients.elements(); it.hasNext();) {
            ObjectNode client = (ObjectNode) it.next();
            String id = client.path("clientId").asText();
            if (LOCAL_ONLY_CLIENTS.contains(id)) {
                it.remove();
                continue;
            }
            client.put("directAccessGrantsEnabled", false);
            if (client.path("redirectUris").isArray()) {
                client.set("redirectUris", publicUris(client.path("redirectUris")));
            }
            JsonNode postLogout = client.path("attributes").path("post.logout.redirect.uris");
            if (postLogout.isTextual()) {
                ArrayNode uris = Repo.JSON.createArrayNode();
                for (String uri : postLogout.asText().split("##")) {
                    uris.add(uri);
                }
                List<String> mapped = new ArrayList<>();
                publicUris(uris).forEach(u -> mapped.add(u.asText()));
                ((ObjectNode) client.path("attributes")).put("post.logout.redirect.uris", String.join("##", mapped));
            }
            if (client.path("publicClient").asBoolean(false) || client.path("bearerOnly").asBoolean(false)) {
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
        // What else names a dropped client: its roles, its scope (which roles its tokens may carry), other clients'
        // roles in its scope, and role mappings to its roles (composites, groups, the users kept).
        if (realm.path("roles").path("client").isObject()) {
            ((ObjectNode) realm.path("roles").path("client")).remove(LOCAL_ONLY_CLIENTS);
        }
        if (realm.path("clientScopeMappings").isObject()) {
            ObjectNode mappings = (ObjectNode) realm.path("clientScopeMappings");
            mappings.remove(LOCAL_ONLY_CLIENTS);
            mappings.forEach(m -> {
                if (m.isArray()) {
                    ((ArrayNode) m).removeIf(entry -> LOCAL_ONLY_CLIENTS.contains(entry.path("client").asText()));
                }
            });
        }
        if (realm.path("scopeMappings").isArray()) {
            ((ArrayNode) realm.path("scopeMappings")).removeIf(m -> LOCAL_ONLY_CLIENTS.contains(m.path("client").asText()));
        }
        realm.path("roles").path("realm").forEach(RealmImportManifest::dropLocalOnlyClientRoles);
        realm.path("roles").path("client").forEach(roles -> roles.forEach(RealmImportManifest::dropLocalOnlyClientRoles));
        realm.path("groups").forEach(RealmImportManifest::dropLocalOnlyClientRoles);

        // Users: only the service accounts of the clients kept, without credentials.
        if (realm.path("users").isArray()) {
            ArrayNode users = (ArrayNode) realm.path("users");
            users.removeIf(u -> {
                String owner = u.path("serviceAccountClientId").asText();
                return owner.isBlank() || LOCAL_ONLY_CLIENTS.contains(owner);
            });
            users.forEach(u -> ((ObjectNode) u).remove("credentials"));
            users.forEach(RealmImportManifest::dropLocalOnlyClientRoles);
        }
        realm.remove("federatedUsers");
        return realm;
    }

    /** The URIs with each local loopback origin (any port) replaced by {@link #PUBLIC_URL}, each once, in order. */
    private static ArrayNode publicUris(JsonNode uris) {
        Set<String> mapped = new java.util.LinkedHashSet<>();
        for (JsonNode uri : uris) {
            String text = uri.asText();
            for (String origin : LOCAL_ORIGINS) {
                if (text.startsWith(origin + "/") || text.startsWith(origin + ":")) {
                    text = PUBLIC_URL + text.substring(text.indexOf('/', origin.length()));
                }
            }
            mapped.add(text);
        }
        ArrayNode out = Repo.JSON.createArrayNode();
        mapped.forEach(out::add);
        return out;
    }

    /** A role's composites, a group (and its subgroups) or a user without the roles of local-only clients. */
    private static void dropLocalOnlyClientRoles(JsonNode holder) {
        for (JsonNode roles : List.of(holder.path("clientRoles"), holder.path("composites").path("client"))) {
            if (roles.isObject()) {
                ((ObjectNode) roles).remove(LOCAL_ONLY_CLIENTS);
            }
        }
        holder.path("subGroups").forEach(RealmImportManifest::dropLocalOnlyClientRoles);
    }

    /**
     * The realm with these settings: all of them where the realm has the first of them, in their order (the values
     * the realm had are replaced); at the end if it has none.
     */
    private static ObjectNode withSettings(ObjectNode realm, ObjectNode settings) {
        ObjectNode out = Repo.JSON.createObjectNode();
        realm.fields().forEachRemaining(field -> {
            if (!settings.has(field.getKey())) {
                out.set(field.getKey(), field.getValue());
            } else if (!out.has(field.getKey())) {
                out.setAll(settings);
            }
        });
        out.setAll(settings);
        return out;
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
                .append("# credentials), no local-only clients (").append(String.join(", ", LOCAL_ONLY_CLIENTS))
                .append("), no password grant\n")
                .append("# (directAccessGrantsEnabled false on every client), client secrets from Secret ").append(CLIENT_SECRETS)
                .append(",\n")
                .append("# the pages' redirect URIs on ").append(PUBLIC_URL).append(" (the deploy workflow writes the configured host),\n")
                .append("# sslRequired at least external, brute-force detection always on (as in the file) and passwordPolicy\n")
                .append("# \"").append(PASSWORD_POLICY).append("\". The operator imports a realm only if it does not\n")
                .append("# exist yet: later changes to the file must be made in Keycloak as well (admin console or admin API).\n");
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
