package io.bookmarket.deploycheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Generates {@code infra/k8s/60-connectors.yaml}, one Strimzi {@code KafkaConnector} per
 * {@code infra/contracts/connectors/*.json}. The JSON files stay the single source of truth: the generated config
 * is theirs, key for key and in the same order, except
 * <ul>
 * <li>the environment-specific values ({@link #coordinates(String)}, by connector class): for the Postgres
 * connector the CloudNativePG service and, through Kafka Connect's Strimzi KubernetesSecretConfigProvider, the
 * {@code bookmarket-db} Secret; for the MariaDB connector the {@code bookmarket-mariadb} Service, Debezium's user
 * in the {@code bookmarket-mariadb} Secret and the Kafka cluster that keeps its schema history topic;</li>
 * <li>{@code connector.class} and {@code tasks.max}, which Strimzi forbids in {@code spec.config} and takes from
 * {@code spec.class} and {@code spec.tasksMax} instead.</li>
 * </ul>
 * Regenerate with {@code ./mvnw -B -f infra/deploy-check/pom.xml verify -Dk8s.regenerate=true}; the plain build
 * fails while the checked-in file differs from what this class renders.
 */
public final class ConnectorManifests {

    public static final String OUTPUT = "infra/k8s/60-connectors.yaml";
    public static final String CONNECTORS_DIR = "infra/contracts/connectors";

    public static final String NAMESPACE = "bookmarket";
    public static final String CONNECT_CLUSTER = "bookmarket-connect";
    public static final String DB_SECRET = "bookmarket-db";
    public static final String MARIADB_SECRET = "bookmarket-mariadb";
    public static final String MARIADB_SERVICE = "bookmarket-mariadb";
    public static final String KAFKA_BOOTSTRAP = "bookmarket-kafka-bootstrap:9092";

    public static final String POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector";
    public static final String MARIADB_CONNECTOR = "io.debezium.connector.mariadb.MariaDbConnector";

    /**
     * Per connector class, the environment-specific connector keys and their Kubernetes values; every other key is
     * copied as is. A connector JSON must have every key of its class (and a class listed here).
     */
    public static final Map<String, Map<String, String>> COORDINATES = Map.of(
            POSTGRES_CONNECTOR, postgres(),
            MARIADB_CONNECTOR, mariadb());

    /** Keys Strimzi takes from spec fields rather than from spec.config. */
    public static final List<String> SPEC_FIELDS = List.of("connector.class", "tasks.max");

    private ConnectorManifests() {
    }

    private static Map<String, String> postgres() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("database.hostname", "bookmarket-pg-rw." + NAMESPACE + ".svc");
        c.put("database.port", "5432");
        c.put("database.user", secret(DB_SECRET, "username"));
        c.put("database.password", secret(DB_SECRET, "password"));
        return Map.copyOf(c);
    }

    private static Map<String, String> mariadb() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("database.hostname", MARIADB_SERVICE + "." + NAMESPACE + ".svc");
        c.put("database.port", "3306");
        c.put("database.user", secret(MARIADB_SECRET, "debezium-username"));
        c.put("database.password", secret(MARIADB_SECRET, "debezium-password"));
        c.put("schema.history.internal.kafka.bootstrap.servers", KAFKA_BOOTSTRAP);
        return Map.copyOf(c);
    }

    /** A reference Strimzi's KubernetesSecretConfigProvider resolves in the Connect pods. */
    static String secret(String name, String key) {
        return "${secrets:" + NAMESPACE + "/" + name + ":" + key + "}";
    }

    /** The Kubernetes values of a connector class's environment-specific keys. */
    public static Map<String, String> coordinates(String connectorClass) {
        Map<String, String> c = COORDINATES.get(connectorClass);
        if (c == null) {
            throw new IllegalArgumentException("No Kubernetes coordinates for connector class " + connectorClass
                    + " (known: " + COORDINATES.keySet() + ")");
        }
        return c;
    }

    /** The connector JSON files, sorted by name so the output is stable. */
    public static List<Path> connectorFiles(Path root) {
        try (Stream<Path> files = Files.list(root.resolve(CONNECTORS_DIR))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String render(Path root) {
        YAMLMapper yaml = YAMLMapper.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .build();
        StringBuilder out = new StringBuilder()
                .append("# GENERATED by infra/deploy-check (io.bookmarket.deploycheck.ConnectorManifests) from\n")
                .append("# ").append(CONNECTORS_DIR).append("/*.json. Do not edit: change the JSON, then run\n")
                .append("#   ./mvnw -B -f infra/deploy-check/pom.xml verify -Dk8s.regenerate=true\n")
                .append("# Apply after the services (their Flyway migrations create the outboxevent tables the connectors\n")
                .append("# capture; the Postgres ones' filtered publications need them); autoRestart retries a connector\n")
                .append("# that started too early.\n");
        for (Path file : connectorFiles(root)) {
            try {
                out.append("---\n").append(yaml.writeValueAsString(kafkaConnector(Repo.json(file))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toString();
    }

    static ObjectNode kafkaConnector(JsonNode definition) {
        String name = definition.path("name").asText();
        JsonNode source = definition.path("config");
        if (name.isBlank() || !source.isObject()) {
            throw new IllegalArgumentException("A connector JSON needs \"name\" and a \"config\" object: " + definition);
        }
        ObjectNode resource = Repo.JSON.createObjectNode();
        resource.put("apiVersion", "kafka.strimzi.io/v1");
        resource.put("kind", "KafkaConnector");
        ObjectNode metadata = resource.putObject("metadata");
        metadata.put("name", name);
        metadata.put("namespace", NAMESPACE);
        ObjectNode labels = metadata.putObject("labels");
        labels.put("strimzi.io/cluster", CONNECT_CLUSTER);
        labels.put("app.kubernetes.io/part-of", "bookmarket");
        ObjectNode spec = resource.putObject("spec");
        String connectorClass = required(source, "connector.class");
        Map<String, String> coordinates = coordinates(connectorClass);
        spec.put("class", connectorClass);
        spec.put("tasksMax", Integer.parseInt(required(source, "tasks.max")));
        spec.putObject("autoRestart").put("enabled", true);
        ObjectNode config = spec.putObject("config");
        List<String> missing = new ArrayList<>(coordinates.keySet());
        for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String key = entry.getKey();
            if (SPEC_FIELDS.contains(key)) {
                continue;
            }
            missing.remove(key);
            config.put(key, coordinates.getOrDefault(key, entry.getValue().asText()));
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Connector " + name + " has no " + missing + " to point at Kubernetes");
        }
        return resource;
    }

    private static String required(JsonNode config, String key) {
        JsonNode value = config.get(key);
        if (value == null || value.asText().isBlank()) {
            throw new IllegalArgumentException("Connector config lacks " + key);
        }
        return value.asText();
    }

    /** Writes the manifest file; {@code args[0]} may name the repository root. */
    public static void main(String[] args) throws IOException {
        Path root = args.length > 0 ? Path.of(args[0]) : Repo.root();
        Files.writeString(root.resolve(OUTPUT), render(root));
        System.out.println("Wrote " + root.resolve(OUTPUT));
    }
}
