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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The KafkaConnector resources are the connector JSON files, with only the environment-specific values changed (by
 * connector class: the database coordinates, and for MariaDB the schema history's Kafka): one source of truth for the
 * local stack, Docker Compose and Kubernetes. Kafka Connect builds the plugin of every connector class used.
 */
class ConnectorManifestsTest {

    private final Path root = Repo.root();

    @Test
    void checkedInManifestIsWhatTheGeneratorRendersFromTheJson() throws IOException {
        Path output = root.resolve(ConnectorManifests.OUTPUT);
        String rendered = ConnectorManifests.render(root);
        if (Boolean.getBoolean("k8s.regenerate")) {
            Files.writeString(output, rendered);
            System.out.println("Regenerated " + output);
        }
        assertThat(output).exists();
        assertThat(Repo.read(output))
                .as("%s is out of date with %s/*.json; regenerate it with "
                        + "./mvnw -B -f infra/deploy-check/pom.xml verify -Dk8s.regenerate=true",
                        ConnectorManifests.OUTPUT, ConnectorManifests.CONNECTORS_DIR)
                .isEqualTo(rendered);
    }

    @Test
    void everyConnectorJsonHasExactlyOneKafkaConnectorWithTheSameConfigButTheCoordinates() {
        List<JsonNode> resources = Repo.yamlDocuments(root.resolve(ConnectorManifests.OUTPUT));
        List<Path> files = ConnectorManifests.connectorFiles(root);
        assertThat(files).extracting(f -> f.getFileName().toString())
                .containsExactlyInAnyOrder("regrequest-outbox.json", "approval-outbox.json");
        assertThat(resources).hasSameSizeAs(files);

        for (Path file : files) {
            JsonNode definition = Repo.json(file);
            String name = definition.path("name").asText();
            assertThat(file.getFileName().toString()).as("file named after its connector").isEqualTo(name + ".json");
            JsonNode resource = resources.stream().filter(r -> name.equals(r.at("/metadata/name").asText()))
                    .findFirst().orElseThrow(() -> new AssertionError("No KafkaConnector named " + name));

            assertThat(resource.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1");
            assertThat(resource.path("kind").asText()).isEqualTo("KafkaConnector");
            assertThat(resource.at("/metadata/labels/strimzi.io~1cluster").asText())
                    .isEqualTo(ConnectorManifests.CONNECT_CLUSTER);

            Map<String, String> json = strings(definition.path("config"));
            Map<String, String> k8s = strings(resource.at("/spec/config"));
            assertThat(resource.at("/spec/class").asText()).isEqualTo(json.get("connector.class"));
            assertThat(resource.at("/spec/tasksMax").asInt()).isEqualTo(Integer.parseInt(json.get("tasks.max")));
            assertThat(k8s).doesNotContainKeys("connector.class", "tasks.max");

            Map<String, String> expected = new LinkedHashMap<>(json);
            ConnectorManifests.SPEC_FIELDS.forEach(expected::remove);
            expected.putAll(ConnectorManifests.coordinates(json.get("connector.class")));
            assertThat(k8s).as("config of %s", name).containsExactlyEntriesOf(expected);
        }
    }

    @Test
    void theConnectorsAreTheOnesTheServicesNeed() {
        List<JsonNode> resources = Repo.yamlDocuments(root.resolve(ConnectorManifests.OUTPUT));
        Map<String, String> classes = new java.util.TreeMap<>();
        resources.forEach(r -> classes.put(r.at("/metadata/name").asText(), r.at("/spec/class").asText()));
        assertThat(classes).containsExactlyInAnyOrderEntriesOf(Map.of(
                "regrequest-outbox", ConnectorManifests.POSTGRES_CONNECTOR,
                "approval-outbox", ConnectorManifests.MARIADB_CONNECTOR));
    }

    @Test
    void mariadbConnectorPointsAtTheMariaDbServiceTheDebeziumUserAndTheKafkaCluster() {
        JsonNode approval = Repo.yamlDocuments(root.resolve(ConnectorManifests.OUTPUT)).stream()
                .filter(r -> "approval-outbox".equals(r.at("/metadata/name").asText())).findFirst().orElseThrow();
        checkMariaDbConnector(approval, root);
    }

    /** The checks on the MariaDB KafkaConnector must be able to fail: each broken copy is refused. */
    @Test
    void brokenMariaDbConnectorsAreRefused() {
        JsonNode approval = Repo.yamlDocuments(root.resolve(ConnectorManifests.OUTPUT)).stream()
                .filter(r -> "approval-outbox".equals(r.at("/metadata/name").asText())).findFirst().orElseThrow();
        Map<String, java.util.function.Consumer<ObjectNode>> breakers = Map.of(
                "Postgres class", r -> ((ObjectNode) r.path("spec")).put("class", ConnectorManifests.POSTGRES_CONNECTOR),
                "PostgreSQL host", r -> config(r).put("database.hostname", "bookmarket-pg-rw.bookmarket.svc"),
                "short host in another namespace", r -> config(r).put("database.hostname", "bookmarket-mariadb.default.svc"),
                "PostgreSQL port", r -> config(r).put("database.port", "5432"),
                "root user", r -> config(r).put("database.user", "root"),
                "password from the PostgreSQL Secret", r -> config(r).put("database.password",
                        "${secrets:bookmarket/bookmarket-db:password}"),
                "service user's password", r -> config(r).put("database.password",
                        "${secrets:bookmarket/bookmarket-mariadb:password}"),
                "compose Kafka for the schema history", r -> config(r).put("schema.history.internal.kafka.bootstrap.servers",
                        "kafka:9092"),
                "no schema history topic", r -> config(r).remove("schema.history.internal.kafka.topic"),
                "other database", r -> config(r).put("database.include.list", "regrequest"));
        breakers.forEach((what, breaker) -> {
            ObjectNode broken = approval.deepCopy();
            breaker.accept(broken);
            assertThatThrownBy(() -> checkMariaDbConnector(broken, root)).as(what).isInstanceOf(AssertionError.class);
        });
    }

    /**
     * approval-outbox: the MariaDB connector class; the host resolves to the MariaDB Service (in its namespace) on its
     * port; Debezium's user and password are the Secret keys the StatefulSet creates that user from; the schema
     * history topic is in the Kafka cluster Connect uses; it captures the outbox of the database the init script
     * creates.
     */
    static void checkMariaDbConnector(JsonNode connector, Path root) {
        assertThat(connector.at("/spec/class").asText()).isEqualTo(ConnectorManifests.MARIADB_CONNECTOR);
        JsonNode config = connector.at("/spec/config");
        List<JsonNode> mariadb = K8sManifestsTest.documents(root, K8sManifestsTest.MARIADB_FILE);
        JsonNode service = K8sManifestsTest.one(mariadb, "Service");
        String name = service.at("/metadata/name").asText();
        String ns = service.at("/metadata/namespace").asText();
        assertThat(config.path("database.hostname").asText()).as("database.hostname resolves to the MariaDB Service")
                .isIn(name + "." + ns + ".svc", name + "." + ns + ".svc.cluster.local");
        assertThat(config.path("database.port").asText()).isEqualTo(service.at("/spec/ports/0/port").asText());

        JsonNode container = K8sManifestsTest.one(mariadb, "StatefulSet").at("/spec/template/spec/containers/0");
        JsonNode secret = K8sManifestsTest.exampleSecret(root, ConnectorManifests.MARIADB_SECRET);
        for (String[] pair : new String[][] {{"database.user", "DEBEZIUM_USER"}, {"database.password", "DEBEZIUM_PASSWORD"}}) {
            JsonNode ref = null;
            for (JsonNode e : container.path("env")) {
                if (pair[1].equals(e.path("name").asText())) {
                    ref = e.at("/valueFrom/secretKeyRef");
                }
            }
            assertThat(ref).as("the StatefulSet creates Debezium's user from %s", pair[1]).isNotNull();
            String secretName = ref.path("name").asText();
            String key = ref.path("key").asText();
            assertThat(secret.at("/stringData").has(key)).as("example Secret has " + key).isTrue();
            assertThat(config.path(pair[0]).asText()).as(pair[0])
                    .isEqualTo("${secrets:" + secret.at("/metadata/namespace").asText() + "/" + secretName + ":" + key + "}");
        }

        JsonNode connect = K8sManifestsTest.single(root, "40-kafka-connect.yaml", "KafkaConnect");
        assertThat(config.path("schema.history.internal.kafka.bootstrap.servers").asText())
                .as("schema history in the Kafka cluster Connect uses").isEqualTo(connect.at("/spec/bootstrapServers").asText())
                .isEqualTo(ConnectorManifests.KAFKA_BOOTSTRAP);
        assertThat(config.path("schema.history.internal.kafka.topic").asText()).as("schema history topic").isNotBlank();
        assertThat(K8sManifestsTest.initDatabases(mariadb)).as("database.include.list is created by the init script")
                .contains(config.path("database.include.list").asText());
        assertThat(config.path("table.include.list").asText())
                .isEqualTo(config.path("database.include.list").asText() + ".outboxevent");
    }

    private static ObjectNode config(JsonNode resource) {
        return (ObjectNode) resource.at("/spec/config");
    }

    @Test
    void theGeneratorRefusesConnectorsItCannotPointAtKubernetes() throws IOException {
        JsonNode approval = Repo.json(root.resolve(ConnectorManifests.CONNECTORS_DIR).resolve("approval-outbox.json"));
        ObjectNode unknownClass = approval.deepCopy();
        ((ObjectNode) unknownClass.path("config")).put("connector.class", "io.debezium.connector.mysql.MySqlConnector");
        assertThatThrownBy(() -> ConnectorManifests.kafkaConnector(unknownClass)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MySqlConnector");
        ObjectNode noHistory = approval.deepCopy();
        ((ObjectNode) noHistory.path("config")).remove("schema.history.internal.kafka.bootstrap.servers");
        assertThatThrownBy(() -> ConnectorManifests.kafkaConnector(noHistory)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.history.internal.kafka.bootstrap.servers");
        // The generated resource of the real file passes the checks above.
        checkMariaDbConnector(ConnectorManifests.kafkaConnector(approval), root);
    }

    @Test
    void coordinatesPointAtThePostgresServiceAndTheDatabaseSecret() {
        Map<String, String> c = ConnectorManifests.coordinates(ConnectorManifests.POSTGRES_CONNECTOR);
        JsonNode cluster = K8sManifestsTest.single(root, "20-postgres.yaml", "Cluster");
        assertThat(c.get("database.hostname"))
                .isEqualTo(cluster.at("/metadata/name").asText() + "-rw." + cluster.at("/metadata/namespace").asText() + ".svc");
        assertThat(c.get("database.port")).isEqualTo("5432");

        JsonNode secret = K8sManifestsTest.documents(root, "10-secrets.example.yaml").stream()
                .filter(d -> ConnectorManifests.DB_SECRET.equals(d.at("/metadata/name").asText()))
                .findFirst().orElseThrow();
        String ref = "${secrets:" + secret.at("/metadata/namespace").asText() + "/" + secret.at("/metadata/name").asText() + ":";
        assertThat(c.get("database.user")).isEqualTo(ref + "username}");
        assertThat(c.get("database.password")).isEqualTo(ref + "password}");
        assertThat(secret.at("/stringData").has("username")).isTrue();
        assertThat(secret.at("/stringData").has("password")).isTrue();
        assertThat(cluster.at("/spec/bootstrap/initdb/secret/name").asText()).isEqualTo(ConnectorManifests.DB_SECRET);
    }

    @Test
    void kafkaConnectResolvesTheSecretsAndBuildsBothDebeziumPlugins() {
        Path root = this.root;
        JsonNode connect = K8sManifestsTest.single(root, "40-kafka-connect.yaml", "KafkaConnect");
        assertThat(connect.at("/metadata/name").asText()).isEqualTo(ConnectorManifests.CONNECT_CLUSTER);
        assertThat(connect.at("/metadata/annotations/strimzi.io~1use-connector-resources").asText()).isEqualTo("true");

        JsonNode config = connect.at("/spec/config");
        assertThat(config.path("config.providers").asText()).isEqualTo("secrets");
        assertThat(config.path("config.providers.secrets.class").asText())
                .isEqualTo("io.strimzi.kafka.KubernetesSecretConfigProvider");
        assertThat(config.path("key.converter").asText()).isEqualTo("org.apache.kafka.connect.storage.StringConverter");
        assertThat(config.path("value.converter").asText()).isEqualTo("org.apache.kafka.connect.storage.StringConverter");
        assertThat(config.path("connector.client.config.override.policy").asText())
                .as("the connectors set producer.override.*").isEqualTo("All");

        checkConnectBuild(connect, root);

        // The config provider reads the Secrets with the Connect pods' service account: the Role must allow exactly
        // the ones the KafkaConnectors reference.
        JsonNode role = K8sManifestsTest.single(root, "40-kafka-connect.yaml", "Role");
        Matcher refs = Pattern.compile("\\$\\{secrets:" + ConnectorManifests.NAMESPACE + "/([a-z0-9-]+):")
                .matcher(Repo.read(root.resolve(ConnectorManifests.OUTPUT)));
        Set<String> referenced = new TreeSet<>();
        while (refs.find()) {
            referenced.add(refs.group(1));
        }
        assertThat(referenced).containsExactlyInAnyOrder(ConnectorManifests.DB_SECRET, ConnectorManifests.MARIADB_SECRET);
        List<String> readable = new ArrayList<>();
        role.at("/rules/0/resourceNames").forEach(n -> readable.add(n.asText()));
        assertThat(readable).as("Secrets the Connect pods may read").containsExactlyInAnyOrderElementsOf(referenced);
        assertThat(role.at("/rules/0/verbs").toString()).isEqualTo("[\"get\"]");
        JsonNode binding = K8sManifestsTest.single(root, "40-kafka-connect.yaml", "RoleBinding");
        assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(ConnectorManifests.CONNECT_CLUSTER + "-connect");
        assertThat(binding.at("/roleRef/name").asText()).isEqualTo(role.at("/metadata/name").asText());
    }

    /** The checks on the Connect build must be able to fail: each broken copy is refused. */
    @Test
    void brokenConnectBuildsAreRefused() {
        JsonNode connect = K8sManifestsTest.single(root, "40-kafka-connect.yaml", "KafkaConnect");
        Map<String, java.util.function.Consumer<ObjectNode>> breakers = Map.of(
                "no MariaDB plugin", c -> ((ArrayNode) c.at("/spec/build/plugins")).remove(1),
                "MariaDB connector 3.7.0", c -> ((ObjectNode) c.at("/spec/build/plugins/1/artifacts/0")).put("version", "3.7.0.Final"),
                "Postgres connector 3.5.0", c -> ((ObjectNode) c.at("/spec/build/plugins/0/artifacts/0")).put("version", "3.5.0.Final"),
                "one plugin directory for both", c -> {
                    ArrayNode plugins = (ArrayNode) c.at("/spec/build/plugins");
                    ((ArrayNode) plugins.get(0).path("artifacts")).add(plugins.get(1).at("/artifacts/0").deepCopy());
                    plugins.remove(1);
                },
                "moving version", c -> ((ObjectNode) c.at("/spec/build/plugins/1/artifacts/0")).put("version", "LATEST"),
                "jar instead of the Maven artifact", c -> ((ObjectNode) c.at("/spec/build/plugins/1/artifacts/0")).put("type", "jar"),
                "same plugin name twice", c -> ((ObjectNode) c.at("/spec/build/plugins/1")).put("name", "debezium-postgres"));
        breakers.forEach((what, breaker) -> {
            ObjectNode broken = connect.deepCopy();
            breaker.accept(broken);
            assertThatThrownBy(() -> checkConnectBuild(broken, root)).as(what).isInstanceOf(AssertionError.class);
        });
    }

    /**
     * Strimzi builds exactly the two Debezium connectors, each a Maven artifact at an exact version (the ones the
     * local stack runs) in a plugin of its own, and the plugin of every connector class the KafkaConnectors use.
     */
    static void checkConnectBuild(JsonNode connect, Path root) {
        Map<String, String> versions = new java.util.TreeMap<>();
        Set<String> names = new TreeSet<>();
        for (JsonNode plugin : connect.at("/spec/build/plugins")) {
            assertThat(names.add(plugin.path("name").asText())).as("plugin names are unique").isTrue();
            assertThat(plugin.path("artifacts").size()).as("one connector per plugin directory: " + plugin.path("name").asText())
                    .isEqualTo(1);
            JsonNode artifact = plugin.at("/artifacts/0");
            assertThat(artifact.path("type").asText()).isEqualTo("maven");
            assertThat(artifact.path("group").asText()).isEqualTo("io.debezium");
            versions.put(artifact.path("artifact").asText(), artifact.path("version").asText());
        }
        assertThat(versions).containsExactlyInAnyOrderEntriesOf(Map.of(
                "debezium-connector-postgres", "3.7.0.Final",
                "debezium-connector-mariadb", "3.5.0.Final"));
        assertThat(versions.get("debezium-connector-postgres"))
                .isEqualTo(MariaDbChecks.pluginVersion(root.resolve("infra/debezium-plugin/pom.xml")));
        assertThat(versions.get("debezium-connector-mariadb"))
                .isEqualTo(MariaDbChecks.pluginVersion(root.resolve("infra/debezium-plugin-mariadb/pom.xml")));
        Map<String, String> pluginOfClass = Map.of(ConnectorManifests.POSTGRES_CONNECTOR, "debezium-connector-postgres",
                ConnectorManifests.MARIADB_CONNECTOR, "debezium-connector-mariadb");
        for (Path file : ConnectorManifests.connectorFiles(root)) {
            String connectorClass = Repo.json(file).at("/config/connector.class").asText();
            assertThat(pluginOfClass).as(file.getFileName() + " class").containsKey(connectorClass);
            assertThat(versions).as("Connect builds the plugin of " + connectorClass).containsKey(pluginOfClass.get(connectorClass));
        }
    }

    static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}
