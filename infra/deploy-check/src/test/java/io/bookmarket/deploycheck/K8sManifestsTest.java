package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** infra/k8s: every manifest parses, names agree across files, and the README's apply order lists every file. */
class K8sManifestsTest {

    private final Path root = Repo.root();

    static List<JsonNode> documents(Path root, String file) {
        return Repo.yamlDocuments(root.resolve("infra/k8s").resolve(file));
    }

    static JsonNode single(Path root, String file, String kind) {
        List<JsonNode> found = documents(root, file).stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertThat(found).as("%s in %s", kind, file).hasSize(1);
        return found.get(0);
    }

    static List<Path> manifestFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("infra/k8s"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void everyDocumentIsANamespacedKubernetesObjectInTheBookmarketNamespace() throws IOException {
        List<Path> files = manifestFiles(root);
        assertThat(files).isNotEmpty();
        int count = 0;
        for (Path file : files) {
            for (JsonNode doc : Repo.yamlDocuments(file)) {
                count++;
                String what = file.getFileName() + " " + doc.path("kind").asText() + " " + doc.at("/metadata/name").asText();
                assertThat(doc.path("apiVersion").asText()).as(what).isNotBlank();
                assertThat(doc.path("kind").asText()).as(what).isNotBlank();
                assertThat(doc.at("/metadata/name").asText()).as(what).matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
                if (!"Namespace".equals(doc.path("kind").asText())) {
                    assertThat(doc.at("/metadata/namespace").asText()).as(what).isEqualTo(ConnectorManifests.NAMESPACE);
                }
            }
        }
        System.out.printf("infra/k8s: %d files, %d objects%n", files.size(), count);
    }

    @Test
    void kafkaRunsInKraftModeWithANodePool() {
        JsonNode kafka = single(root, "30-kafka.yaml", "Kafka");
        JsonNode pool = single(root, "30-kafka.yaml", "KafkaNodePool");
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1kraft").asText()).isEqualTo("enabled");
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1node-pools").asText()).isEqualTo("enabled");
        assertThat(kafka.at("/spec/zookeeper").isMissingNode()).isTrue();
        assertThat(pool.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(kafka.at("/metadata/name").asText());
        assertThat(pool.at("/spec/roles").toString()).contains("controller", "broker");
        int replicas = pool.at("/spec/replicas").asInt();
        assertThat(kafka.at("/spec/kafka/config/offsets.topic.replication.factor").asInt())
                .as("a replication factor above the node count cannot be met").isLessThanOrEqualTo(replicas);

        // Kafka Connect talks to this cluster's bootstrap service, with the same Kafka version.
        JsonNode connect = single(root, "40-kafka-connect.yaml", "KafkaConnect");
        assertThat(connect.at("/spec/bootstrapServers").asText())
                .isEqualTo(kafka.at("/metadata/name").asText() + "-kafka-bootstrap:9092");
        assertThat(connect.at("/spec/version").asText()).isEqualTo(kafka.at("/spec/kafka/version").asText());

        // The event topics of the contract exist, sized for the node pool.
        List<JsonNode> topics = documents(root, "30-kafka.yaml").stream()
                .filter(d -> "KafkaTopic".equals(d.path("kind").asText())).toList();
        assertThat(topics).extracting(t -> t.at("/spec/topicName").asText())
                .containsExactlyInAnyOrder("outbox.event.RegRequest", "outbox.event.Approve");
        topics.forEach(t -> assertThat(t.at("/spec/replicas").asInt()).isLessThanOrEqualTo(replicas));
        // publisher-view rebuilds from offset zero: the event topics must never drop history.
        topics.forEach(t -> assertThat(t.at("/spec/config/retention.ms").asLong()).as("retention.ms").isEqualTo(-1));
    }

    @Test
    void postgresHasLogicalDecodingAndEveryServiceDatabase() {
        JsonNode cluster = single(root, "20-postgres.yaml", "Cluster");
        JsonNode parameters = cluster.at("/spec/postgresql/parameters");
        assertThat(parameters.path("wal_level").asText()).isEqualTo("logical");
        int connectors = ConnectorManifests.connectorFiles(root).size();
        assertThat(parameters.path("max_replication_slots").asInt()).isGreaterThanOrEqualTo(connectors);
        assertThat(parameters.path("max_wal_senders").asInt()).isGreaterThanOrEqualTo(connectors);

        Set<String> databases = new java.util.TreeSet<>();
        databases.add(cluster.at("/spec/bootstrap/initdb/database").asText());
        documents(root, "20-postgres.yaml").stream().filter(d -> "Database".equals(d.path("kind").asText()))
                .forEach(d -> {
                    assertThat(d.at("/spec/cluster/name").asText()).isEqualTo(cluster.at("/metadata/name").asText());
                    databases.add(d.at("/spec/name").asText());
                });
        assertThat(databases).containsExactly("approval", "publisherview", "regrequest");

        // Every connector reads a database that exists, as a role with REPLICATION.
        for (Path file : ConnectorManifests.connectorFiles(root)) {
            assertThat(databases).contains(Repo.json(file).at("/config/database.dbname").asText());
        }
        JsonNode role = cluster.at("/spec/managed/roles/0");
        assertThat(role.path("name").asText()).isEqualTo(cluster.at("/spec/bootstrap/initdb/owner").asText());
        assertThat(role.path("replication").asBoolean()).isTrue();
    }

    @Test
    void secretsInTheRepositoryAreMarkedPlaceholders() {
        List<JsonNode> secrets = new ArrayList<>();
        try {
            for (Path file : manifestFiles(root)) {
                Repo.yamlDocuments(file).stream().filter(d -> "Secret".equals(d.path("kind").asText())).forEach(secrets::add);
                if (Repo.read(file).contains("kind: Secret")) {
                    assertThat(file.getFileName().toString()).as("Secrets live only in *.example.yaml").endsWith(".example.yaml");
                    assertThat(Repo.read(file)).contains("PLACEHOLDER");
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(secrets).isNotEmpty();
        secrets.forEach(s -> assertThat(s.at("/stringData").toString()).as(s.at("/metadata/name").asText()).contains("CHANGE-ME"));
    }

    @Test
    void readmeApplyOrderAndDeployWorkflowCoverEveryManifest() throws IOException {
        String readme = Repo.read(root.resolve("infra/k8s/README.md"));
        String deploy = Repo.read(root.resolve(".github/workflows/deploy.yml"));
        List<String> names = manifestFiles(root).stream().map(f -> f.getFileName().toString()).toList();
        for (String name : names) {
            assertThat(readme).as("infra/k8s/README.md names %s", name).contains(name);
            if (!name.endsWith(".example.yaml")) {
                assertThat(deploy).as("deploy.yml applies %s", name).contains(name);
            }
        }
        // The numeric prefixes give the order; the README lists the files in that order.
        List<Integer> positions = names.stream().map(readme::indexOf).toList();
        assertThat(positions).isSorted();
        System.out.println("Apply order: " + names.stream().collect(Collectors.joining(" -> ")));
    }
}
