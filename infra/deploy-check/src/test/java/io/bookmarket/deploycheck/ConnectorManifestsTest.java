package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The KafkaConnector resources are the connector JSON files, with only the database coordinates changed: one source
 * of truth for the local stack, Docker Compose and Kubernetes.
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
            expected.putAll(ConnectorManifests.COORDINATES);
            assertThat(k8s).as("config of %s", name).containsExactlyEntriesOf(expected);
        }
    }

    @Test
    void coordinatesPointAtThePostgresServiceAndTheDatabaseSecret() {
        Map<String, String> c = ConnectorManifests.COORDINATES;
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
    void kafkaConnectResolvesTheSecretsAndBuildsTheDebeziumPlugin() {
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

        JsonNode artifact = connect.at("/spec/build/plugins/0/artifacts/0");
        assertThat(artifact.path("type").asText()).isEqualTo("maven");
        assertThat(artifact.path("group").asText()).isEqualTo("io.debezium");
        assertThat(artifact.path("artifact").asText()).isEqualTo("debezium-connector-postgres");
        assertThat(artifact.path("version").asText()).isEqualTo("3.7.0.Final");

        // The config provider reads the Secret with the Connect pods' service account: the Role must allow it.
        JsonNode role = K8sManifestsTest.single(root, "40-kafka-connect.yaml", "Role");
        assertThat(role.at("/rules/0/resourceNames").toString()).contains(ConnectorManifests.DB_SECRET);
        JsonNode binding = K8sManifestsTest.single(root, "40-kafka-connect.yaml", "RoleBinding");
        assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(ConnectorManifests.CONNECT_CLUSTER + "-connect");
        assertThat(binding.at("/roleRef/name").asText()).isEqualTo(role.at("/metadata/name").asText());
    }

    static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}
