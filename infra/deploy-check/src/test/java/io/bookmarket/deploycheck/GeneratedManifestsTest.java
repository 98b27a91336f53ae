package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.bookmarket.launcher.LocalSystem;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The services' Quarkus-generated manifests ({@code <service>/target/kubernetes/kubernetes.yml}, written by
 * {@code package}; this module builds after the services in the reactor) agree with infra/k8s and with the
 * services' configuration: database (PostgreSQL, or approval-service's MariaDB) and its Secret, probes, ConfigMap
 * references, HPA, PodDisruptionBudget and spread over nodes, Ingress, resources, rolling update, image, graceful shutdown. Whichever flavour was built last is checked (JVM, or native with its smaller sizing).
 */
class GeneratedManifestsTest {

    static final Map<String, String> DATABASES = Map.of(
            "regrequest-service", "regrequest", "approval-service", "approval", "publisher-view", "publisherview");
    /** What the Ingress must route: what the local gateway routes. */
    static final Map<String, Set<String>> INGRESS_PATHS = LocalSystem.routes().entrySet().stream().collect(
            Collectors.groupingBy(Map.Entry::getValue, Collectors.mapping(Map.Entry::getKey, Collectors.toSet())));
    /** The services that serve pages for people (and so hold the pages' OIDC client secret). */
    static final Set<String> PAGES = Set.of("regrequest-service", "approval-service");
    /** Kinds a plain cluster accepts: no Prometheus-operator CRDs, no immutable Jobs re-applied on each deploy. */
    static final Set<String> KINDS = Set.of("ServiceAccount", "ConfigMap", "Service", "Deployment", "Ingress",
            "HorizontalPodAutoscaler", "PodDisruptionBudget");
    /** Fewest pods a service may run: regrequest-service, the core domain, never runs on one. */
    static final Map<String, Integer> MIN_REPLICAS = Map.of(
            "regrequest-service", 2, "approval-service", 1, "publisher-view", 1);

    private final Path root = Repo.root();

    static List<JsonNode> manifest(Path root, String service) {
        Path file = root.resolve(service).resolve("target/kubernetes/kubernetes.yml");
        assertThat(file).as("%s not generated: package the service first (./mvnw -B package -DskipTests -pl %s; the "
                + "full reactor builds the services before this module)", file, service).isRegularFile();
        return Repo.yamlDocuments(file);
    }

    static JsonNode one(List<JsonNode> docs, String kind, String service) {
        List<JsonNode> found = docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertThat(found).as("%s of %s", kind, service).hasSize(1);
        return found.get(0);
    }

    /** Database engine per service: approval-service on MariaDB (25-mariadb.yaml), the others on PostgreSQL. */
    static final Map<String, String> ENGINES = Map.of(
            "regrequest-service", "postgresql", "approval-service", "mariadb", "publisher-view", "postgresql");

    /**
     * A database server of infra/k8s as the services see it: JDBC URL prefix ({@code jdbc:<engine>://<service
     * host>:<port>/}), the Secret and keys of the services' user, the databases it creates.
     */
    record DatabaseServer(String urlPrefix, String secret, String userKey, String passwordKey, Set<String> databases) {
    }

    /** What the infrastructure manifests define, so a renamed cluster, service, secret or database fails here. */
    record Infra(String namespace, String kafkaBootstrap, Map<String, DatabaseServer> servers) {

        static Infra read(Path root) {
            String ns = ConnectorManifests.NAMESPACE;
            JsonNode cluster = K8sManifestsTest.single(root, "20-postgres.yaml", "Cluster");
            Set<String> pgDatabases = new TreeSet<>();
            pgDatabases.add(cluster.at("/spec/bootstrap/initdb/database").asText());
            K8sManifestsTest.documents(root, "20-postgres.yaml").stream()
                    .filter(d -> "Database".equals(d.path("kind").asText()))
                    .forEach(d -> pgDatabases.add(d.at("/spec/name").asText()));
            DatabaseServer postgres = new DatabaseServer(
                    "jdbc:postgresql://" + cluster.at("/metadata/name").asText() + "-rw." + ns + ".svc:5432/",
                    cluster.at("/spec/bootstrap/initdb/secret/name").asText(), "username", "password", pgDatabases);

            // MariaDB: the Service, and the Secret keys the StatefulSet creates the service's user from.
            List<JsonNode> mariadbDocs = K8sManifestsTest.documents(root, K8sManifestsTest.MARIADB_FILE);
            JsonNode service = K8sManifestsTest.one(mariadbDocs, "Service");
            JsonNode container = K8sManifestsTest.one(mariadbDocs, "StatefulSet").at("/spec/template/spec/containers/0");
            JsonNode user = secretRef(container, "APPROVAL_DB_USER");
            JsonNode password = secretRef(container, "APPROVAL_DB_PASSWORD");
            assertThat(user.path("name").asText()).isEqualTo(password.path("name").asText());
            DatabaseServer mariadb = new DatabaseServer(
                    "jdbc:mariadb://" + service.at("/metadata/name").asText() + "." + service.at("/metadata/namespace").asText()
                            + ".svc:" + service.at("/spec/ports/0/port").asText() + "/",
                    user.path("name").asText(), user.path("key").asText(), password.path("key").asText(),
                    K8sManifestsTest.initDatabases(mariadbDocs));

            JsonNode kafka = K8sManifestsTest.single(root, "30-kafka.yaml", "Kafka");
            return new Infra(ns, kafka.at("/metadata/name").asText() + "-kafka-bootstrap." + ns + ".svc:9092",
                    Map.of("postgresql", postgres, "mariadb", mariadb));
        }

        DatabaseServer server(String service) {
            return servers.get(ENGINES.get(service));
        }

        private static JsonNode secretRef(JsonNode container, String env) {
            for (JsonNode e : container.path("env")) {
                if (env.equals(e.path("name").asText())) {
                    return e.at("/valueFrom/secretKeyRef");
                }
            }
            throw new AssertionError("25-mariadb.yaml sets no " + env);
        }
    }

    @Test
    void infraDefinesWhatTheServicesReference() {
        Infra infra = Infra.read(root);
        assertThat(infra.servers().get("postgresql").secret()).isEqualTo("bookmarket-db");
        assertThat(infra.servers().get("mariadb").secret()).isEqualTo("bookmarket-mariadb");
        assertThat(infra.servers().get("mariadb").urlPrefix()).isEqualTo("jdbc:mariadb://bookmarket-mariadb.bookmarket.svc:3306/");
        DATABASES.forEach((service, database) ->
                assertThat(infra.server(service).databases()).as("%s's database", service).contains(database));
        for (DatabaseServer server : infra.servers().values()) {
            List<String> secrets = K8sManifestsTest.documents(root, "10-secrets.example.yaml").stream()
                    .filter(d -> server.secret().equals(d.at("/metadata/name").asText()))
                    .map(d -> d.at("/stringData").toString()).toList();
            assertThat(secrets).as("the example Secret %s has the keys the services read", server.secret()).singleElement()
                    .satisfies(s -> assertThat(s).contains("\"" + server.userKey() + "\"", "\"" + server.passwordKey() + "\""));
        }
    }

    @Test
    void everyServiceManifestIsDeployable() {
        Infra infra = Infra.read(root);
        for (String service : DATABASES.keySet()) {
            List<JsonNode> docs = manifest(root, service);
            checkService(docs, service, infra, serviceConfig(root, service));
            System.out.printf("%s: %s, image %s, resources %s%n", service,
                    docs.stream().map(d -> d.path("kind").asText()).toList(),
                    one(docs, "Deployment", service).at("/spec/template/spec/containers/0/image").asText(),
                    one(docs, "Deployment", service).at("/spec/template/spec/containers/0/resources"));
        }
    }

    @Test
    void regrequestReadsTheApprovalUrlFromItsConfigMapAndItPointsAtApprovalService() {
        List<JsonNode> docs = manifest(root, "regrequest-service");
        checkApprovalUrl(docs, manifest(root, "approval-service"),
                Repo.read(root.resolve("regrequest-service/src/main/resources/application.properties")));
    }

    @Test
    void approvalServiceScalesOnCpuLikeTheOriginal() {
        checkAutoscaler(manifest(root, "approval-service"), "approval-service", 1, 10, 20);
    }

    @Test
    void regrequestServiceScalesOnCpuFromTwoPods() {
        checkAutoscaler(manifest(root, "regrequest-service"), "regrequest-service", 2, 6, 50);
    }

    @Test
    void servicesKeepTheirMinimumThroughDrainsAndSpreadOverNodes() {
        for (String service : DATABASES.keySet()) {
            List<JsonNode> docs = manifest(root, service);
            checkAvailability(docs, service, MIN_REPLICAS.get(service));
            JsonNode spec = one(docs, "Deployment", service).at("/spec/template/spec");
            System.out.printf("%s: HPA %s, PDB %s, spread %s%n", service,
                    kind(docs, "HorizontalPodAutoscaler").stream().map(h -> h.at("/spec/minReplicas").asText() + "-"
                            + h.at("/spec/maxReplicas").asText()).toList(),
                    kind(docs, "PodDisruptionBudget").stream().map(p -> p.at("/spec").toString()).toList(),
                    spec.has("topologySpreadConstraints") ? spec.get("topologySpreadConstraints") : "none");
        }
    }

    @Test
    void brokenAvailabilityIsRefused() {
        List<JsonNode> reg = manifest(root, "regrequest-service");
        checkAvailability(copy(reg), "regrequest-service", 2); // first, so a broken manifest fails here for its reason
        Map<String, Consumer<List<JsonNode>>> breakers = new java.util.LinkedHashMap<>();
        breakers.put("HPA from one pod", d -> hpaSpec(d).put("minReplicas", 1));
        breakers.put("HPA without minReplicas (1)", d -> hpaSpec(d).remove("minReplicas"));
        breakers.put("no HPA", d -> d.removeIf(x -> "HorizontalPodAutoscaler".equals(x.path("kind").asText())));
        breakers.put("no HPA, one replica", d -> {
            d.removeIf(x -> "HorizontalPodAutoscaler".equals(x.path("kind").asText()));
            deploymentSpec(d).put("replicas", 1);
        });
        breakers.put("replicas fixed under the HPA", d -> deploymentSpec(d).put("replicas", 2));
        breakers.put("HPA scales another Deployment", d -> ((ObjectNode) hpaSpec(d).path("scaleTargetRef"))
                .put("name", "approval-service"));
        breakers.put("no PDB", d -> d.removeIf(x -> "PodDisruptionBudget".equals(x.path("kind").asText())));
        breakers.put("PDB policy/v1beta1", d -> ((ObjectNode) one(d, "PodDisruptionBudget", "regrequest-service"))
                .put("apiVersion", "policy/v1beta1"));
        breakers.put("PDB minAvailable 2 (blocks every drain at 2 pods)", d -> pdbSpec(d).put("minAvailable", 2));
        breakers.put("PDB minAvailable 0", d -> pdbSpec(d).put("minAvailable", 0));
        breakers.put("PDB minAvailable 50%", d -> pdbSpec(d).put("minAvailable", "50%"));
        breakers.put("PDB maxUnavailable instead", d -> pdbSpec(d).put("maxUnavailable", 1).remove("minAvailable"));
        breakers.put("PDB selects another service's pods", d -> ((ObjectNode) pdbSpec(d).at("/selector/matchLabels"))
                .put("app.kubernetes.io/name", "approval-service"));
        breakers.put("PDB selects every pod", d -> ((ObjectNode) pdbSpec(d).path("selector")).putObject("matchLabels"));
        breakers.put("PDB selects by version too", d -> ((ObjectNode) pdbSpec(d).at("/selector/matchLabels"))
                .put("app.kubernetes.io/version", "0.9"));
        breakers.put("no spread", d -> podSpec(one(d, "Deployment", "regrequest-service")).remove("topologySpreadConstraints"));
        breakers.put("spread over zones only", d -> spread(d).put("topologyKey", "topology.kubernetes.io/zone"));
        breakers.put("spread DoNotSchedule (one node: pods pending)", d -> spread(d).put("whenUnsatisfiable", "DoNotSchedule"));
        breakers.put("spread with skew 3", d -> spread(d).put("maxSkew", 3));
        breakers.put("spread counts another service's pods", d -> ((ObjectNode) spread(d).at("/labelSelector/matchLabels"))
                .put("app.kubernetes.io/name", "approval-service"));
        breakers.forEach((what, breaker) -> {
            List<JsonNode> broken = new ArrayList<>(copy(reg));
            breaker.accept(broken);
            assertThat(broken.toString()).as(what + " changes the manifest").isNotEqualTo(reg.toString());
            assertThatThrownBy(() -> checkAvailability(broken, "regrequest-service", 2)).as(what)
                    .isInstanceOf(AssertionError.class);
        });
        List<JsonNode> upToTen = copy(reg);
        hpaSpec(upToTen).put("maxReplicas", 10);
        assertThatThrownBy(() -> checkAutoscaler(upToTen, "regrequest-service", 2, 6, 50)).isInstanceOf(AssertionError.class);

        // approval-service may run one pod: a PDB with minAvailable 1 would block its eviction; up to 10 pods spread.
        List<JsonNode> approval = new ArrayList<>(copy(manifest(root, "approval-service")));
        checkAvailability(approval, "approval-service", 1);
        List<JsonNode> approvalPdb = new ArrayList<>(approval);
        approvalPdb.add(one(reg, "PodDisruptionBudget", "regrequest-service").deepCopy());
        ((ObjectNode) approvalPdb.getLast().at("/spec/selector/matchLabels")).put("app.kubernetes.io/name", "approval-service");
        assertThatThrownBy(() -> checkAvailability(approvalPdb, "approval-service", 1)).as("approval PDB minAvailable 1")
                .isInstanceOf(AssertionError.class);
        podSpec(one(approval, "Deployment", "approval-service")).remove("topologySpreadConstraints");
        assertThatThrownBy(() -> checkAvailability(approval, "approval-service", 1)).as("approval without spread")
                .isInstanceOf(AssertionError.class);
        // publisher-view at 3 fixed replicas would need a PDB and the spread.
        List<JsonNode> view = copy(manifest(root, "publisher-view"));
        deploymentSpec(view).put("replicas", 3);
        assertThatThrownBy(() -> checkAvailability(view, "publisher-view", 1)).as("publisher-view at 3 replicas")
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void oneHostRoutesTheOriginalsGatewayPaths() {
        Map<String, List<JsonNode>> manifests = new java.util.TreeMap<>();
        DATABASES.keySet().forEach(s -> manifests.put(s, manifest(root, s)));
        checkIngresses(manifests);
    }

    @Test
    void servicesReadTheirOidcSettingsFromTheConfigMapAndTheClientSecretFromTheSecret() {
        List<JsonNode> keycloak = K8sManifestsTest.documents(root, KeycloakManifestsTest.KEYCLOAK_FILE);
        JsonNode realmImport = K8sManifestsTest.single(root, KeycloakManifestsTest.REALM_IMPORT_FILE, "KeycloakRealmImport");
        for (String service : DATABASES.keySet()) {
            checkOidc(manifest(root, service), service, keycloak, realmImport);
            checkPagesClient(manifest(root, service), service, realmImport);
        }
    }

    @Test
    void brokenPagesClientSettingsAreRefused() {
        JsonNode realmImport = K8sManifestsTest.single(root, KeycloakManifestsTest.REALM_IMPORT_FILE, "KeycloakRealmImport");
        Map<String, Consumer<JsonNode>> breakers = new java.util.LinkedHashMap<>();
        breakers.put("secret inline", d -> {
            ObjectNode e = env(d, "UI_CLIENT_SECRET");
            e.remove("valueFrom");
            e.put("value", "bookmarket-web-local-secret-0123456789abcdef");
        });
        breakers.put("another client's secret", d -> ((ObjectNode) env(d, "UI_CLIENT_SECRET").at("/valueFrom/secretKeyRef"))
                .put("key", KeycloakChecks.SERVICE_CLIENT));
        breakers.put("no secret", d -> ((ArrayNode) container(d).path("env"))
                .removeIf(e -> "UI_CLIENT_SECRET".equals(e.path("name").asText())));
        for (String service : PAGES) {
            List<JsonNode> docs = manifest(root, service);
            breakers.forEach((what, breaker) -> {
                List<JsonNode> broken = copy(docs);
                breaker.accept(one(broken, "Deployment", service));
                assertThatThrownBy(() -> checkPagesClient(broken, service, realmImport)).as(service + ": " + what)
                        .isInstanceOf(AssertionError.class);
            });
        }
        List<JsonNode> view = copy(manifest(root, "publisher-view"));
        ((ArrayNode) container(one(view, "Deployment", "publisher-view")).path("env")).addObject()
                .put("name", "UI_CLIENT_SECRET").putObject("valueFrom").putObject("secretKeyRef")
                .put("name", RealmImportManifest.CLIENT_SECRETS).put("key", RealmImportManifest.WEB_CLIENT);
        assertThatThrownBy(() -> checkPagesClient(view, "publisher-view", realmImport)).as("publisher-view gets the secret")
                .isInstanceOf(AssertionError.class);
    }

    /**
     * The services with pages for people read the pages' client secret (UI_CLIENT_SECRET) from the Secret key the realm
     * import sets client {@value RealmImportManifest#WEB_CLIENT}'s secret from; publisher-view serves no pages and gets
     * no such secret.
     */
    static void checkPagesClient(List<JsonNode> docs, String service, JsonNode realmImport) {
        JsonNode deployment = one(docs, "Deployment", service);
        boolean hasSecret = container(deployment).path("env").findValues("name").stream()
                .anyMatch(n -> "UI_CLIENT_SECRET".equals(n.asText()));
        if (!PAGES.contains(service)) {
            assertThat(hasSecret).as(service + " serves no pages: no UI_CLIENT_SECRET").isFalse();
            return;
        }
        JsonNode secret = env(deployment, "UI_CLIENT_SECRET");
        assertThat(secret.has("value")).as(service + " UI_CLIENT_SECRET inline").isFalse();
        JsonNode ref = secret.at("/valueFrom/secretKeyRef");
        String placeholder = null;
        for (JsonNode c : realmImport.at("/spec/realm/clients")) {
            if (RealmImportManifest.WEB_CLIENT.equals(c.path("clientId").asText())) {
                placeholder = c.path("secret").asText().replaceAll("^\\$\\{(.*)}$", "$1");
            }
        }
        assertThat(placeholder).as("client %s in the realm import", RealmImportManifest.WEB_CLIENT).isNotNull();
        JsonNode source = realmImport.at("/spec/placeholders").path(placeholder).path("secret");
        assertThat(ref.path("name").asText() + "/" + ref.path("key").asText()).as(service + " UI_CLIENT_SECRET")
                .isEqualTo(RealmImportManifest.CLIENT_SECRETS + "/" + RealmImportManifest.WEB_CLIENT)
                .isEqualTo(source.path("name").asText() + "/" + source.path("key").asText());
    }

    @Test
    void brokenOidcSettingsAreRefused() {
        List<JsonNode> keycloak = K8sManifestsTest.documents(root, KeycloakManifestsTest.KEYCLOAK_FILE);
        JsonNode realmImport = K8sManifestsTest.single(root, KeycloakManifestsTest.REALM_IMPORT_FILE, "KeycloakRealmImport");
        Map<String, Consumer<JsonNode>> breakers = new java.util.LinkedHashMap<>();
        breakers.put("OIDC_URL inline", d -> env(d, "OIDC_URL").put("value", "http://keycloak:8080/realms/bookmarket"));
        breakers.put("OIDC_URL from another ConfigMap", d -> ((ObjectNode) env(d, "OIDC_URL").at("/valueFrom/configMapKeyRef"))
                .put("name", "regrequest-config"));
        breakers.put("OIDC_URL from a missing key", d -> ((ObjectNode) env(d, "OIDC_URL").at("/valueFrom/configMapKeyRef"))
                .put("key", "oidc-url"));
        breakers.put("no OIDC_URL", d -> ((ArrayNode) container(d).path("env")).removeIf(e -> "OIDC_URL".equals(e.path("name").asText())));
        breakers.put("client secret inline", d -> {
            ObjectNode e = env(d, "OIDC_CLIENT_SECRET");
            e.remove("valueFrom");
            e.put("value", "regrequest-service-local-secret");
        });
        breakers.put("client secret from the database Secret", d -> ((ObjectNode) env(d, "OIDC_CLIENT_SECRET")
                .at("/valueFrom/secretKeyRef")).put("name", "bookmarket-db"));
        breakers.put("another client's secret", d -> ((ObjectNode) env(d, "OIDC_CLIENT_SECRET")
                .at("/valueFrom/secretKeyRef")).put("key", "bookmarket-cli"));
        breakers.put("client id from a missing key", d -> ((ObjectNode) env(d, "OIDC_CLIENT_ID")
                .at("/valueFrom/configMapKeyRef")).put("key", "client-id"));
        breakers.put("no client id", d -> ((ArrayNode) container(d).path("env"))
                .removeIf(e -> "OIDC_CLIENT_ID".equals(e.path("name").asText())));
        List<JsonNode> reg = manifest(root, "regrequest-service");
        breakers.forEach((what, breaker) -> {
            List<JsonNode> broken = copy(reg);
            breaker.accept(one(broken, "Deployment", "regrequest-service"));
            assertThat(broken.toString()).as(what + " changes the manifest").isNotEqualTo(reg.toString());
            assertThatThrownBy(() -> checkOidc(broken, "regrequest-service", keycloak, realmImport)).as(what)
                    .isInstanceOf(AssertionError.class);
        });
        // Only regrequest-service logs in as a client: the others never get its secret.
        List<JsonNode> approval = copy(manifest(root, "approval-service"));
        ((ArrayNode) container(one(approval, "Deployment", "approval-service")).path("env")).addObject()
                .put("name", "OIDC_CLIENT_SECRET").putObject("valueFrom").putObject("secretKeyRef")
                .put("name", RealmImportManifest.CLIENT_SECRETS).put("key", KeycloakChecks.SERVICE_CLIENT);
        assertThatThrownBy(() -> checkOidc(approval, "approval-service", keycloak, realmImport)).as("approval gets the secret")
                .isInstanceOf(AssertionError.class);
        // The realm import and the service must read the same Secret key.
        ObjectNode otherKey = realmImport.deepCopy();
        ((ObjectNode) otherKey.at("/spec/placeholders").elements().next().path("secret")).put("key", "regrequest");
        assertThatThrownBy(() -> checkOidc(reg, "regrequest-service", keycloak, otherKey)).as("realm reads another key")
                .isInstanceOf(AssertionError.class);
        checkOidc(copy(reg), "regrequest-service", keycloak, realmImport);
    }

    /**
     * Every service reads OIDC_URL from ConfigMap bookmarket-oidc (35-keycloak.yaml) by reference; regrequest-service
     * also its client id from there and its client secret from the Secret key the realm import sets that client's
     * secret from; no other service gets a client secret.
     */
    static void checkOidc(List<JsonNode> docs, String service, List<JsonNode> keycloakDocs, JsonNode realmImport) {
        JsonNode deployment = one(docs, "Deployment", service);
        JsonNode config = K8sManifestsTest.one(keycloakDocs, "ConfigMap");
        java.util.function.Function<String, String> fromConfigMap = name -> {
            JsonNode e = env(deployment, name);
            assertThat(e.has("value")).as(service + " " + name + " inline").isFalse();
            JsonNode ref = e.at("/valueFrom/configMapKeyRef");
            assertThat(ref.path("name").asText()).as(service + " " + name + " ConfigMap").isEqualTo(config.at("/metadata/name").asText());
            assertThat(config.path("data").has(ref.path("key").asText())).as(service + " " + name + " key " + ref.path("key")).isTrue();
            return config.path("data").path(ref.path("key").asText()).asText();
        };
        assertThat(fromConfigMap.apply("OIDC_URL")).as(service + " OIDC_URL").endsWith("/realms/" + RealmImportManifest.REALM);
        boolean hasSecret = container(deployment).path("env").findValues("name").stream()
                .anyMatch(n -> "OIDC_CLIENT_SECRET".equals(n.asText()));
        if (!KeycloakChecks.SERVICE_CLIENT.equals(service)) {
            assertThat(hasSecret).as(service + " gets no client secret").isFalse();
            return;
        }
        String clientId = fromConfigMap.apply("OIDC_CLIENT_ID");
        assertThat(clientId).isEqualTo(KeycloakChecks.SERVICE_CLIENT);
        JsonNode secret = env(deployment, "OIDC_CLIENT_SECRET");
        assertThat(secret.has("value")).as("OIDC_CLIENT_SECRET inline").isFalse();
        JsonNode ref = secret.at("/valueFrom/secretKeyRef");
        assertThat(ref.path("name").asText()).as("OIDC_CLIENT_SECRET Secret").isEqualTo(RealmImportManifest.CLIENT_SECRETS);
        assertThat(ref.path("key").asText()).as("OIDC_CLIENT_SECRET key").isEqualTo(clientId);
        // The realm import sets this client's secret from the same Secret key.
        String placeholder = null;
        for (JsonNode c : realmImport.at("/spec/realm/clients")) {
            if (clientId.equals(c.path("clientId").asText())) {
                placeholder = c.path("secret").asText().replaceAll("^\\$\\{(.*)}$", "$1");
            }
        }
        assertThat(placeholder).as("client %s in the realm import", clientId).isNotNull();
        JsonNode source = realmImport.at("/spec/placeholders").path(placeholder).path("secret");
        assertThat(source.path("name").asText() + "/" + source.path("key").asText()).as("the realm's secret of " + clientId)
                .isEqualTo(ref.path("name").asText() + "/" + ref.path("key").asText());
    }

    @Test
    void servicesReadTheTracingSettingsFromTheTracingConfigMap() {
        JsonNode tracing = K8sManifestsTest.tracingConfigMap(root);
        for (String service : DATABASES.keySet()) {
            checkTracing(manifest(root, service), service, tracing);
        }
    }

    @Test
    void brokenServiceTracingSettingsAreRefused() {
        JsonNode tracing = K8sManifestsTest.tracingConfigMap(root);
        Map<String, Consumer<JsonNode>> breakers = new java.util.LinkedHashMap<>();
        breakers.put("endpoint inline", d -> {
            ObjectNode e = env(d, "OTEL_EXPORTER_OTLP_ENDPOINT");
            e.remove("valueFrom");
            e.put("value", "http://otel-collector.observability.svc:4318");
        });
        for (String name : K8sManifestsTest.TRACING_KEYS.keySet()) {
            breakers.put("no " + name, d -> ((ArrayNode) container(d).path("env")).removeIf(e -> name.equals(e.path("name").asText())));
        }
        breakers.put("endpoint from the OIDC ConfigMap", d -> ((ObjectNode) env(d, "OTEL_EXPORTER_OTLP_ENDPOINT")
                .at("/valueFrom/configMapKeyRef")).put("name", "bookmarket-oidc"));
        breakers.put("sampler from a missing key", d -> ((ObjectNode) env(d, "OTEL_TRACES_SAMPLER")
                .at("/valueFrom/configMapKeyRef")).put("key", "traces-sampler"));
        breakers.put("sampler argument from the sampler key", d -> ((ObjectNode) env(d, "OTEL_TRACES_SAMPLER_ARG")
                .at("/valueFrom/configMapKeyRef")).put("key", "sampler"));
        breakers.put("sampler argument from a Secret", d -> {
            ObjectNode valueFrom = (ObjectNode) env(d, "OTEL_TRACES_SAMPLER_ARG").path("valueFrom");
            valueFrom.remove("configMapKeyRef");
            valueFrom.putObject("secretKeyRef").put("name", K8sManifestsTest.TRACING_CONFIG_MAP).put("key", "sampler-arg");
        });
        for (String service : DATABASES.keySet()) {
            List<JsonNode> docs = manifest(root, service);
            breakers.forEach((what, breaker) -> {
                List<JsonNode> broken = copy(docs);
                breaker.accept(one(broken, "Deployment", service));
                assertThat(broken.toString()).as(what + " changes the manifest").isNotEqualTo(docs.toString());
                assertThatThrownBy(() -> checkTracing(broken, service, tracing)).as(service + ": " + what)
                        .isInstanceOf(AssertionError.class);
            });
            checkTracing(copy(docs), service, tracing);
        }
    }

    /**
     * The service reads OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG by reference from
     * their keys in ConfigMap bookmarket-tracing (infra/k8s), the settings Kafka Connect reads too.
     */
    static void checkTracing(List<JsonNode> docs, String service, JsonNode tracingConfigMap) {
        JsonNode deployment = one(docs, "Deployment", service);
        K8sManifestsTest.TRACING_KEYS.forEach((name, key) -> K8sManifestsTest.checkFromTracingConfigMap(
                env(deployment, name), service + " " + name, key, tracingConfigMap));
    }

    /** The checks above must be able to fail: each broken copy of a real manifest is refused. */
    @Test
    void brokenManifestsAreRefused() {
        Infra infra = Infra.read(root);
        String regProps = serviceConfig(root, "regrequest-service");
        List<JsonNode> reg = manifest(root, "regrequest-service");
        List<JsonNode> approval = manifest(root, "approval-service");
        String approvalProps = serviceConfig(root, "approval-service");
        Map<String, Consumer<JsonNode>> serviceBreakers = Map.ofEntries(
                Map.entry("maxUnavailable 1", d -> strategy(d).put("maxUnavailable", "1")),
                Map.entry("no surge", d -> strategy(d).put("maxSurge", "0")),
                Map.entry("latest image", d -> container(d).put("image", "ghcr.io/bookmarket/regrequest-service:latest")),
                Map.entry("docker hub image", d -> container(d).put("image", "docker.io/root/regrequest-service:1.0")),
                Map.entry("liveness on readiness path", d -> ((ObjectNode) container(d).at("/livenessProbe/httpGet")).put("path", "/q/health/ready")),
                Map.entry("no startup probe", d -> container(d).remove("startupProbe")),
                Map.entry("short grace period", d -> podSpec(d).put("terminationGracePeriodSeconds", 10)),
                Map.entry("no memory limit", d -> ((ObjectNode) container(d).at("/resources/limits")).remove("memory")),
                Map.entry("password inline", d -> env(d, "DB_PASSWORD").put("value", "secret")),
                Map.entry("other secret", d -> ((ObjectNode) env(d, "DB_USER").at("/valueFrom/secretKeyRef")).put("name", "db")),
                Map.entry("other database", d -> env(d, "DB_URL").put("value", "jdbc:postgresql://bookmarket-pg-rw.bookmarket.svc:5432/approval")),
                Map.entry("version in selector", d -> ((ObjectNode) d.at("/spec/selector/matchLabels")).put("app.kubernetes.io/version", "1")));
        serviceBreakers.forEach((what, breaker) -> {
            List<JsonNode> broken = copy(reg);
            breaker.accept(one(broken, "Deployment", "regrequest-service"));
            assertThatThrownBy(() -> checkService(broken, "regrequest-service", infra, regProps)).as(what)
                    .isInstanceOf(AssertionError.class);
        });
        // approval-service is on MariaDB: PostgreSQL coordinates or credentials, another host or key are refused.
        Map<String, Consumer<JsonNode>> approvalBreakers = Map.ofEntries(
                Map.entry("approval on PostgreSQL", d -> env(d, "DB_URL").put("value",
                        "jdbc:postgresql://bookmarket-pg-rw.bookmarket.svc:5432/approval")),
                Map.entry("MariaDB outside the cluster", d -> env(d, "DB_URL").put("value", "jdbc:mariadb://mariadb:3306/approval")),
                Map.entry("other MariaDB database", d -> env(d, "DB_URL").put("value",
                        "jdbc:mariadb://bookmarket-mariadb.bookmarket.svc:3306/regrequest")),
                Map.entry("PostgreSQL credentials", d -> ((ObjectNode) env(d, "DB_USER").at("/valueFrom/secretKeyRef"))
                        .put("name", "bookmarket-db")),
                Map.entry("Debezium's password", d -> ((ObjectNode) env(d, "DB_PASSWORD").at("/valueFrom/secretKeyRef"))
                        .put("key", "debezium-password")),
                Map.entry("root password", d -> ((ObjectNode) env(d, "DB_PASSWORD").at("/valueFrom/secretKeyRef"))
                        .put("key", "root-password")));
        approvalBreakers.forEach((what, breaker) -> {
            List<JsonNode> broken = copy(approval);
            breaker.accept(one(broken, "Deployment", "approval-service"));
            assertThatThrownBy(() -> checkService(broken, "approval-service", infra, approvalProps)).as(what)
                    .isInstanceOf(AssertionError.class);
        });
        // ... and the real one passes.
        checkService(approval, "approval-service", infra, approvalProps);

        List<JsonNode> noConfigMapRef = copy(reg);
        env(one(noConfigMapRef, "Deployment", "regrequest-service"), "APPROVAL_URL").remove("valueFrom");
        assertThatThrownBy(() -> checkApprovalUrl(noConfigMapRef, approval, regProps)).isInstanceOf(AssertionError.class);
        List<JsonNode> wrongTarget = copy(reg);
        ((ObjectNode) one(wrongTarget, "ConfigMap", "regrequest-service").path("data")).put("approval-url", "http://approval:8086");
        assertThatThrownBy(() -> checkApprovalUrl(wrongTarget, approval, regProps)).isInstanceOf(AssertionError.class);

        List<JsonNode> hpa = copy(approval);
        ((ObjectNode) one(hpa, "HorizontalPodAutoscaler", "approval-service").path("spec")).put("maxReplicas", 5);
        assertThatThrownBy(() -> checkAutoscaler(hpa, "approval-service", 1, 10, 20)).isInstanceOf(AssertionError.class);
        List<JsonNode> fixedReplicas = copy(approval);
        ((ObjectNode) one(fixedReplicas, "Deployment", "approval-service").path("spec")).put("replicas", 1);
        assertThatThrownBy(() -> checkAutoscaler(fixedReplicas, "approval-service", 1, 10, 20)).isInstanceOf(AssertionError.class);

        Map<String, List<JsonNode>> manifests = new java.util.TreeMap<>();
        DATABASES.keySet().forEach(s -> manifests.put(s, copy(manifest(root, s))));
        JsonNode rule = one(manifests.get("publisher-view"), "Ingress", "publisher-view").at("/spec/rules/0");
        ((ObjectNode) rule).put("host", "other.example.com");
        assertThatThrownBy(() -> checkIngresses(manifests)).isInstanceOf(AssertionError.class);
    }

    // ---- the checks ----

    static void checkService(List<JsonNode> docs, String service, Infra infra, String properties) {
        for (JsonNode doc : docs) {
            String what = service + " " + doc.path("kind").asText() + " " + doc.at("/metadata/name").asText();
            assertThat(KINDS).as(what + ": kind a plain cluster accepts").contains(doc.path("kind").asText());
            assertThat(doc.at("/metadata/namespace").asText()).as(what).isEqualTo(infra.namespace());
        }
        JsonNode deployment = one(docs, "Deployment", service);
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode c = pod.at("/containers/0");
        assertThat(pod.path("containers").size()).as(service + " containers").isEqualTo(1);

        // Image: ghcr.io/<group>/<service>:<tag>, never latest.
        Matcher image = Pattern.compile("ghcr\\.io/([a-z0-9][a-z0-9._-]*)/([a-z0-9-]+):([A-Za-z0-9_][A-Za-z0-9._-]*)")
                .matcher(c.path("image").asText());
        assertThat(image.matches()).as(service + " image " + c.path("image").asText()).isTrue();
        assertThat(image.group(2)).isEqualTo(service);
        assertThat(image.group(3)).as(service + " image tag").isNotEqualTo("latest").doesNotContain("latest");
        boolean nativeFlavour = image.group(3).endsWith("-native");

        // Rolling update: a new pod first, an old one stopped only when the new one is ready.
        assertThat(deployment.at("/spec/strategy/type").asText()).as(service).isEqualTo("RollingUpdate");
        assertThat(deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asText()).as(service + " maxUnavailable")
                .isIn("0", "0%");
        assertThat(positive(deployment.at("/spec/strategy/rollingUpdate/maxSurge").asText())).as(service + " maxSurge").isTrue();
        // Selectors are immutable: a version label in them breaks every upgrade and hides old pods mid-rollout.
        JsonNode selector = deployment.at("/spec/selector/matchLabels");
        assertThat(selector.has("app.kubernetes.io/version")).as(service + " selector").isFalse();
        JsonNode labels = deployment.at("/spec/template/metadata/labels");
        selector.fields().forEachRemaining(l -> assertThat(labels.path(l.getKey()).asText()).isEqualTo(l.getValue().asText()));

        // Probes on the container's HTTP port.
        int port = c.at("/ports/0/containerPort").asInt();
        assertThat(c.at("/ports/0/name").asText()).isEqualTo("http");
        Map<String, String> probes = Map.of("livenessProbe", "/q/health/live", "readinessProbe", "/q/health/ready",
                "startupProbe", "/q/health/started");
        probes.forEach((probe, path) -> {
            assertThat(c.at("/" + probe + "/httpGet/path").asText()).as(service + " " + probe).isEqualTo(path);
            assertThat(c.at("/" + probe + "/httpGet/port").asText()).as(service + " " + probe + " port")
                    .isIn(Integer.toString(port), "http");
        });
        long startupBudget = c.at("/startupProbe/periodSeconds").asLong() * c.at("/startupProbe/failureThreshold").asLong();
        assertThat(startupBudget).as(service + " startup probe budget (s): migrations and first poll").isGreaterThanOrEqualTo(60);

        // Resources: requests and a memory limit; the native flavour far smaller.
        JsonNode resources = c.path("resources");
        long requestMemory = mebibytes(resources.at("/requests/memory").asText());
        long limitMemory = mebibytes(resources.at("/limits/memory").asText());
        assertThat(millicores(resources.at("/requests/cpu").asText())).as(service + " cpu request").isPositive();
        assertThat(requestMemory).as(service + " memory request").isPositive().isLessThanOrEqualTo(limitMemory);
        if (nativeFlavour) {
            assertThat(limitMemory).as(service + " native memory limit (MiB)").isLessThanOrEqualTo(256);
        } else {
            assertThat(limitMemory).as(service + " JVM memory limit (MiB)").isGreaterThanOrEqualTo(384);
        }

        // Graceful shutdown: the kubelet waits longer than the delay (readiness DOWN) plus the drain timeout.
        assertThat(property(properties, "quarkus.shutdown.delay-enabled")).as(service).isEqualTo("true");
        Duration delay = duration(property(properties, "quarkus.shutdown.delay"));
        Duration timeout = duration(property(properties, "quarkus.shutdown.timeout"));
        assertThat(delay).as(service + " shutdown delay").isPositive();
        assertThat(pod.path("terminationGracePeriodSeconds").asLong()).as(service + " terminationGracePeriodSeconds")
                .isGreaterThanOrEqualTo(delay.plus(timeout).toSeconds());

        // Database (its engine's server: PostgreSQL or approval-service's MariaDB) and Kafka from infra/k8s; credentials
        // only by reference to that server's Secret, with the keys its user was created from; every variable is one
        // the service reads.
        DatabaseServer db = infra.server(service);
        assertThat(env(deployment, "DB_URL").path("value").asText()).as(service + " DB_URL")
                .isEqualTo(db.urlPrefix() + DATABASES.get(service));
        assertThat(db.databases()).as(service + " database exists").contains(DATABASES.get(service));
        assertThat(env(deployment, "KAFKA_BOOTSTRAP_SERVERS").path("value").asText()).isEqualTo(infra.kafkaBootstrap());
        Map.of("DB_USER", db.userKey(), "DB_PASSWORD", db.passwordKey()).forEach((name, key) -> {
            JsonNode e = env(deployment, name);
            assertThat(e.has("value")).as(service + " " + name + " inline").isFalse();
            assertThat(e.at("/valueFrom/secretKeyRef/name").asText()).as(service + " " + name).isEqualTo(db.secret());
            assertThat(e.at("/valueFrom/secretKeyRef/key").asText()).as(service + " " + name).isEqualTo(key);
        });
        for (JsonNode e : c.path("env")) {
            String name = e.path("name").asText();
            if (!name.equals("KUBERNETES_NAMESPACE")) {
                assertThat(properties).as(service + " reads env " + name).contains("${" + name + ":");
            }
        }

        // The Service selects these pods on the HTTP port.
        JsonNode svc = one(docs, "Service", service);
        svc.at("/spec/selector").fields().forEachRemaining(l ->
                assertThat(labels.path(l.getKey()).asText()).as(service + " Service selector").isEqualTo(l.getValue().asText()));
        assertThat(svc.at("/spec/ports/0/name").asText()).isEqualTo("http");
        assertThat(svc.at("/spec/ports/0/targetPort").asText()).isIn(Integer.toString(port), "http");
    }

    static void checkApprovalUrl(List<JsonNode> regrequest, List<JsonNode> approval, String properties) {
        assertThat(property(properties, "quarkus.rest-client.approval.url")).as("the client reads APPROVAL_URL")
                .startsWith("${APPROVAL_URL:");
        JsonNode ref = env(one(regrequest, "Deployment", "regrequest-service"), "APPROVAL_URL").at("/valueFrom/configMapKeyRef");
        assertThat(ref.isMissingNode()).as("APPROVAL_URL from a ConfigMap key").isFalse();
        JsonNode configMap = one(regrequest, "ConfigMap", "regrequest-service");
        assertThat(configMap.at("/metadata/name").asText()).isEqualTo(ref.path("name").asText());
        String url = configMap.path("data").path(ref.path("key").asText()).asText();
        assertThat(url).as("ConfigMap key %s", ref.path("key").asText()).isNotBlank();

        // The URL names approval-service's Service (in the namespace) on a port it serves.
        URI uri = URI.create(url);
        JsonNode svc = one(approval, "Service", "approval-service");
        String host = uri.getHost();
        assertThat(host).isIn(svc.at("/metadata/name").asText(),
                svc.at("/metadata/name").asText() + "." + svc.at("/metadata/namespace").asText(),
                svc.at("/metadata/name").asText() + "." + svc.at("/metadata/namespace").asText() + ".svc",
                svc.at("/metadata/name").asText() + "." + svc.at("/metadata/namespace").asText() + ".svc.cluster.local");
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        List<Integer> ports = new ArrayList<>();
        svc.at("/spec/ports").forEach(p -> ports.add(p.path("port").asInt()));
        assertThat(ports).as("approval-service Service ports").contains(port);
    }

    static void checkAutoscaler(List<JsonNode> docs, String service, int min, int max, int cpuPercent) {
        JsonNode hpa = one(docs, "HorizontalPodAutoscaler", service);
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(service);
        assertThat(hpa.at("/spec/minReplicas").asInt()).as(service + " HPA minReplicas").isEqualTo(min);
        assertThat(hpa.at("/spec/maxReplicas").asInt()).as(service + " HPA maxReplicas").isEqualTo(max);
        assertThat(hpa.at("/spec/metrics").size()).isEqualTo(1);
        JsonNode metric = hpa.at("/spec/metrics/0");
        assertThat(metric.path("type").asText()).isEqualTo("Resource");
        assertThat(metric.at("/resource/name").asText()).isEqualTo("cpu");
        assertThat(metric.at("/resource/target/type").asText()).isEqualTo("Utilization");
        assertThat(metric.at("/resource/target/averageUtilization").asInt()).isEqualTo(cpuPercent);
        JsonNode deployment = one(docs, "Deployment", service);
        // Utilization is relative to the request; a fixed replica count would reset the HPA's on every apply.
        assertThat(deployment.at("/spec/template/spec/containers/0/resources/requests/cpu").asText()).isNotBlank();
        assertThat(deployment.at("/spec/replicas").isMissingNode()).as("Deployment without spec.replicas").isTrue();
    }

    /**
     * The Deployment runs at least {@code atLeast} pods (its HPA's minReplicas, or without an HPA its replicas). One
     * that always runs several has a policy/v1 PodDisruptionBudget with minAvailable 1 on exactly its pods, so a
     * drain keeps one serving and can still evict the rest; one that may run a single pod has no minAvailable budget
     * (it could never be evicted). One that may run several spreads them over nodes, softly, on its own pods.
     */
    static void checkAvailability(List<JsonNode> docs, String service, int atLeast) {
        JsonNode deployment = one(docs, "Deployment", service);
        JsonNode selector = deployment.at("/spec/selector");
        JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
        assertThat(selector.path("matchLabels").size()).as(service + " selector").isPositive();
        List<JsonNode> hpas = kind(docs, "HorizontalPodAutoscaler");
        int min;
        int max;
        if (hpas.isEmpty()) {
            min = deployment.at("/spec/replicas").isMissingNode() ? 1 : deployment.at("/spec/replicas").asInt();
            max = min;
        } else {
            assertThat(hpas).as(service + " HPAs").hasSize(1);
            JsonNode target = hpas.get(0).at("/spec/scaleTargetRef");
            assertThat(target.path("kind").asText() + "/" + target.path("name").asText()).as(service + " HPA target")
                    .isEqualTo("Deployment/" + deployment.at("/metadata/name").asText());
            assertThat(deployment.at("/spec/replicas").isMissingNode()).as(service + " Deployment without spec.replicas "
                    + "under an HPA (apply would reset its count)").isTrue();
            JsonNode minReplicas = hpas.get(0).at("/spec/minReplicas");
            min = minReplicas.isMissingNode() ? 1 : minReplicas.asInt();
            max = hpas.get(0).at("/spec/maxReplicas").asInt();
        }
        assertThat(min).as(service + " minimum replicas").isGreaterThanOrEqualTo(atLeast);

        List<JsonNode> budgets = kind(docs, "PodDisruptionBudget");
        if (min > 1) {
            assertThat(budgets).as(service + " runs %d pods or more: a PodDisruptionBudget", min).hasSize(1);
            JsonNode pdb = budgets.get(0);
            assertThat(pdb.path("apiVersion").asText()).as(service + " PDB").isEqualTo("policy/v1");
            JsonNode minAvailable = pdb.at("/spec/minAvailable");
            assertThat(minAvailable.isInt() && minAvailable.asInt() == 1).as(service + " PDB minAvailable 1, not "
                    + minAvailable).isTrue();
            assertThat(pdb.at("/spec/maxUnavailable").isMissingNode()).as(service + " PDB maxUnavailable").isTrue();
            // Exactly the Deployment's pods: an empty selector in policy/v1 selects every pod of the namespace.
            assertThat(pdb.at("/spec/selector")).as(service + " PDB selector").isEqualTo(selector);
            pdb.at("/spec/selector/matchLabels").fields().forEachRemaining(l -> assertThat(podLabels.path(l.getKey()).asText())
                    .as(service + " pod label " + l.getKey()).isEqualTo(l.getValue().asText()));
        } else {
            for (JsonNode pdb : budgets) {
                assertThat(pdb.at("/spec/minAvailable").isMissingNode()).as(service + " may run one pod: a minAvailable "
                        + "budget would block its eviction").isTrue();
            }
        }

        if (max > 1) {
            List<JsonNode> byNode = new ArrayList<>();
            deployment.at("/spec/template/spec/topologySpreadConstraints").forEach(c -> {
                if ("kubernetes.io/hostname".equals(c.path("topologyKey").asText())) {
                    byNode.add(c);
                }
            });
            assertThat(byNode).as(service + " may run %d pods: spread over nodes", max).hasSize(1);
            JsonNode spread = byNode.get(0);
            assertThat(spread.path("whenUnsatisfiable").asText()).as(service + " spread: a one-node cluster still schedules")
                    .isEqualTo("ScheduleAnyway");
            assertThat(spread.path("maxSkew").asInt()).as(service + " spread maxSkew").isEqualTo(1);
            assertThat(spread.path("labelSelector")).as(service + " spread counts its own pods").isEqualTo(selector);
        }
    }

    static void checkIngresses(Map<String, List<JsonNode>> manifests) {
        Set<String> hosts = new TreeSet<>();
        Set<String> classes = new TreeSet<>();
        Map<String, String> routes = new java.util.TreeMap<>();
        manifests.forEach((service, docs) -> {
            JsonNode ingress = one(docs, "Ingress", service);
            assertThat(ingress.path("apiVersion").asText()).isEqualTo("networking.k8s.io/v1");
            classes.add(ingress.at("/spec/ingressClassName").asText());
            for (JsonNode rule : ingress.at("/spec/rules")) {
                hosts.add(rule.path("host").asText());
                for (JsonNode path : rule.at("/http/paths")) {
                    assertThat(path.at("/backend/service/name").asText()).as(service + " backend").isEqualTo(service);
                    assertThat(path.at("/backend/service/port/name").asText()).as(service + " backend port").isEqualTo("http");
                    // Prefix by path segment, except the start page: a Prefix "/" would route every path of the host.
                    assertThat(path.path("pathType").asText()).as(service + " " + path.path("path").asText())
                            .isEqualTo(path.path("path").asText().equals("/") ? "Exact" : "Prefix");
                    String previous = routes.put(path.path("path").asText(), service);
                    assertThat(previous).as("path %s routed twice", path.path("path").asText()).isNull();
                }
            }
        });
        assertThat(hosts).as("one host for every service").hasSize(1);
        assertThat(hosts.iterator().next()).isNotBlank();
        assertThat(classes).as("one ingress class").hasSize(1);
        Map<String, String> expected = new java.util.TreeMap<>();
        INGRESS_PATHS.forEach((service, paths) -> paths.forEach(p -> expected.put(p, service)));
        assertThat(routes).as("exactly the original's gateway paths and the pages' (no catch-all /)").isEqualTo(expected);
        System.out.printf("Ingress host %s (class %s): %s%n", hosts, classes, routes);
    }

    // ---- helpers ----

    /** Defaults the three services share (service-support); the tracing variables are read there. */
    static final String SHARED_CONFIG = "infra/service-support/src/main/resources/META-INF/microprofile-config.properties";

    /**
     * A service's configuration as it reads it: its application.properties, then the shared defaults it overrides (so
     * {@link #property} finds the service's own value first).
     */
    static String serviceConfig(Path root, String service) {
        String own = Repo.read(root.resolve(service).resolve("src/main/resources/application.properties"));
        Path shared = root.resolve(SHARED_CONFIG);
        return java.nio.file.Files.isRegularFile(shared) ? own + "\n" + Repo.read(shared) : own;
    }

    static ObjectNode container(JsonNode deployment) {
        return (ObjectNode) deployment.at("/spec/template/spec/containers/0");
    }

    static ObjectNode podSpec(JsonNode deployment) {
        return (ObjectNode) deployment.at("/spec/template/spec");
    }

    static List<JsonNode> kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    static ObjectNode deploymentSpec(List<JsonNode> docs) {
        return (ObjectNode) kind(docs, "Deployment").getFirst().path("spec");
    }

    static ObjectNode hpaSpec(List<JsonNode> docs) {
        return (ObjectNode) kind(docs, "HorizontalPodAutoscaler").getFirst().path("spec");
    }

    static ObjectNode pdbSpec(List<JsonNode> docs) {
        return (ObjectNode) kind(docs, "PodDisruptionBudget").getFirst().path("spec");
    }

    static ObjectNode spread(List<JsonNode> docs) {
        return (ObjectNode) kind(docs, "Deployment").getFirst().at("/spec/template/spec/topologySpreadConstraints/0");
    }

    static ObjectNode strategy(JsonNode deployment) {
        return (ObjectNode) deployment.at("/spec/strategy/rollingUpdate");
    }

    static ObjectNode env(JsonNode deployment, String name) {
        for (JsonNode e : (ArrayNode) container(deployment).path("env")) {
            if (name.equals(e.path("name").asText())) {
                return (ObjectNode) e;
            }
        }
        throw new AssertionError("no env " + name + " in " + deployment.at("/metadata/name").asText());
    }

    static List<JsonNode> copy(List<JsonNode> docs) {
        return docs.stream().map(JsonNode::deepCopy).map(JsonNode.class::cast).toList();
    }

    /** A property's value in application.properties, the default of a ${ENV:default} expression if it is one. */
    static String property(String properties, String key) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + "=(.*)$").matcher(properties);
        assertThat(m.find()).as("application.properties sets %s", key).isTrue();
        return m.group(1).trim();
    }

    static Duration duration(String value) {
        Matcher expression = Pattern.compile("\\$\\{[A-Z_]+:(.+)}").matcher(value);
        String v = expression.matches() ? expression.group(1) : value;
        Matcher m = Pattern.compile("(\\d+)(ms|s|m)").matcher(v);
        assertThat(m.matches()).as("duration %s", value).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    static boolean positive(String intOrPercent) {
        return !intOrPercent.isBlank() && Integer.parseInt(intOrPercent.replace("%", "")) > 0;
    }

    static long millicores(String cpu) {
        assertThat(cpu).as("cpu quantity").matches("\\d+m?");
        return cpu.endsWith("m") ? Long.parseLong(cpu.substring(0, cpu.length() - 1)) : Long.parseLong(cpu) * 1000;
    }

    static long mebibytes(String memory) {
        assertThat(memory).as("memory quantity").matches("\\d+(Mi|Gi)");
        long n = Long.parseLong(memory.substring(0, memory.length() - 2));
        return memory.endsWith("Gi") ? n * 1024 : n;
    }
}
