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
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * infra/k8s: every manifest parses, names agree across files, PostgreSQL and approval-service's MariaDB have what
 * Debezium and the services need, and the README's apply order lists every file.
 */
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
    void postgresHasLogicalDecodingAndTheDatabasesOfTheServicesOnPostgres() {
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
        // approval-service is on MariaDB (25-mariadb.yaml): no approval database here any more; Keycloak's own
        // (35-keycloak.yaml) is here too.
        String keycloak = single(root, KeycloakManifestsTest.KEYCLOAK_FILE, "Keycloak").at("/spec/db/database").asText();
        assertThat(databases).containsExactlyInAnyOrder("publisherview", "regrequest", keycloak);

        // Every Postgres connector reads a database that exists, as a role with REPLICATION.
        for (Path file : ConnectorManifests.connectorFiles(root)) {
            JsonNode config = Repo.json(file).path("config");
            if (ConnectorManifests.POSTGRES_CONNECTOR.equals(config.path("connector.class").asText())) {
                assertThat(databases).contains(config.path("database.dbname").asText());
            }
        }
        JsonNode role = cluster.at("/spec/managed/roles/0");
        assertThat(role.path("name").asText()).isEqualTo(cluster.at("/spec/bootstrap/initdb/owner").asText());
        assertThat(role.path("replication").asBoolean()).isTrue();
    }

    static final String MARIADB_FILE = "25-mariadb.yaml";
    /** Keys of Secret bookmarket-mariadb (10-secrets.example.yaml) that 25-mariadb.yaml and the connector read. */
    static final Set<String> MARIADB_SECRET_KEYS = Set.of("root-password", "username", "password", "debezium-username",
            "debezium-password");

    @Test
    void mariadbIsAStatefulSetWithTheBinlogDebeziumReadsDurableCommitsProbesAndAVolume() {
        List<JsonNode> docs = documents(root, MARIADB_FILE);
        checkMariaDb(docs);
        // The Secret it reads is documented with every key.
        JsonNode secret = exampleSecret(root, ConnectorManifests.MARIADB_SECRET);
        MARIADB_SECRET_KEYS.forEach(k -> assertThat(secret.at("/stringData").has(k)).as("example Secret key " + k).isTrue());
        JsonNode container = one(docs, "StatefulSet").at("/spec/template/spec/containers/0");
        for (JsonNode e : container.path("env")) {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                assertThat(ref.path("name").asText()).as(e.path("name").asText()).isEqualTo(ConnectorManifests.MARIADB_SECRET);
                assertThat(MARIADB_SECRET_KEYS).as(e.path("name").asText() + " key").contains(ref.path("key").asText());
            }
        }
        // The approval-outbox connector is a replication client with its own server id, never the server's.
        int serverId = MariaDbChecks.serverId(MariaDbChecks.strings(container.path("args")));
        for (JsonNode connector : documents(root, "60-connectors.yaml")) {
            if (ConnectorManifests.MARIADB_CONNECTOR.equals(connector.at("/spec/class").asText())) {
                assertThat(connector.at("/spec/config/database.server.id").asText()).matches("\\d+")
                        .isNotEqualTo(Integer.toString(serverId));
                assertThat(initDatabases(docs)).contains(connector.at("/spec/config/database.include.list").asText());
            }
        }
    }

    /** The checks on 25-mariadb.yaml must be able to fail: each broken copy is refused. */
    @Test
    void brokenMariaDbManifestsAreRefused() {
        List<JsonNode> docs = documents(root, MARIADB_FILE);
        Map<String, Consumer<List<JsonNode>>> breakers = new LinkedHashMap<>();
        breakers.put("no volume claim template", d -> spec(d, "StatefulSet").remove("volumeClaimTemplates"));
        breakers.put("data not on the volume", d -> ((ObjectNode) container(d).at("/volumeMounts/0")).put("mountPath", "/data"));
        breakers.put("two replicas", d -> spec(d, "StatefulSet").put("replicas", 2));
        breakers.put("other governing service", d -> spec(d, "StatefulSet").put("serviceName", "mariadb"));
        breakers.put("no binlog", d -> removeArg(d, "--log-bin"));
        breakers.put("mixed binlog", d -> replaceArg(d, "--binlog_format=", "--binlog-format=MIXED"));
        breakers.put("minimal row image", d -> replaceArg(d, "--binlog_row_image=", "--binlog_row_image=MINIMAL"));
        breakers.put("no server id", d -> removeArg(d, "--server_id="));
        breakers.put("no strict GTIDs", d -> removeArg(d, "--gtid_strict_mode="));
        breakers.put("binlog not synced", d -> replaceArg(d, "--sync_binlog=", "--sync_binlog=0"));
        breakers.put("redo log not flushed", d -> replaceArg(d, "--innodb_flush_log_at_trx_commit=",
                "--innodb_flush_log_at_trx_commit=0"));
        breakers.put("binlogs kept forever", d -> removeArg(d, "--binlog_expire_logs_seconds="));
        breakers.put("moving image tag", d -> container(d).put("image", "mariadb:lts"));
        breakers.put("no readiness probe", d -> container(d).remove("readinessProbe"));
        breakers.put("no liveness probe", d -> container(d).remove("livenessProbe"));
        breakers.put("readiness without healthcheck.sh", d -> ((ObjectNode) container(d).at("/readinessProbe/exec"))
                .set("command", Repo.JSON.createArrayNode().add("true")));
        breakers.put("root password inline", d -> ((ObjectNode) container(d).at("/env/0")).put("value", "x"));
        breakers.put("service on another port", d -> ((ObjectNode) spec(d, "Service").at("/ports/0")).put("port", 3307));
        breakers.put("service selects nothing", d -> ((ObjectNode) spec(d, "Service").path("selector"))
                .put("app.kubernetes.io/name", "mariadb"));
        breakers.put("init script not mounted", d -> ((ObjectNode) container(d).at("/volumeMounts/1"))
                .put("mountPath", "/init"));
        breakers.put("Debezium without BINLOG MONITOR", d -> initScript(d, s -> s.replace("BINLOG MONITOR", "PROCESS")));
        breakers.put("service user without rights", d -> initScript(d, s -> s.replace("GRANT ALL PRIVILEGES ON approval.*",
                "GRANT SELECT ON approval.*")));
        breakers.put("init reads an unset variable", d -> initScript(d, s -> s.replace("$DEBEZIUM_PASSWORD", "$DBZ_PASSWORD")));
        breakers.forEach((what, breaker) -> {
            List<JsonNode> broken = docs.stream().map(JsonNode::deepCopy).map(JsonNode.class::cast).toList();
            breaker.accept(broken);
            assertThat(broken.toString()).as(what + " changes the manifest").isNotEqualTo(docs.toString());
            assertThatThrownBy(() -> checkMariaDb(broken)).as(what).isInstanceOf(AssertionError.class);
        });
    }

    /**
     * 25-mariadb.yaml: a one-replica StatefulSet of a pinned mariadb:11.4.x image with the binlog and durability
     * flags, healthcheck.sh probes, its data on a volume claim template, credentials only from Secret references, an
     * init script (ConfigMap) creating database approval, the service's user and Debezium's, and the Service
     * bookmarket-mariadb on 3306 selecting its pod.
     */
    static void checkMariaDb(List<JsonNode> docs) {
        JsonNode sts = one(docs, "StatefulSet");
        JsonNode service = one(docs, "Service");
        JsonNode init = one(docs, "ConfigMap");
        assertThat(sts.path("apiVersion").asText()).isEqualTo("apps/v1");
        assertThat(sts.at("/metadata/name").asText()).isEqualTo(ConnectorManifests.MARIADB_SERVICE);
        assertThat(service.at("/metadata/name").asText()).isEqualTo(ConnectorManifests.MARIADB_SERVICE);
        assertThat(sts.at("/spec/replicas").asInt()).as("one server: Debezium reads its binlog").isEqualTo(1);
        assertThat(sts.at("/spec/serviceName").asText()).as("governing Service").isEqualTo(service.at("/metadata/name").asText());

        JsonNode labels = sts.at("/spec/template/metadata/labels");
        sts.at("/spec/selector/matchLabels").fields().forEachRemaining(l ->
                assertThat(labels.path(l.getKey()).asText()).as("StatefulSet selector").isEqualTo(l.getValue().asText()));
        assertThat(service.at("/spec/selector").size()).isPositive();
        service.at("/spec/selector").fields().forEachRemaining(l ->
                assertThat(labels.path(l.getKey()).asText()).as("Service selector").isEqualTo(l.getValue().asText()));

        JsonNode pod = sts.at("/spec/template/spec");
        assertThat(pod.path("containers").size()).isEqualTo(1);
        JsonNode c = pod.at("/containers/0");
        MariaDbChecks.checkImage(c.path("image").asText(), "StatefulSet");
        MariaDbChecks.checkServerOptions(MariaDbChecks.strings(c.path("args")), "StatefulSet");

        // Service port 3306 reaches the container's MariaDB port.
        JsonNode port = c.at("/ports/0");
        assertThat(port.path("containerPort").asInt()).isEqualTo(3306);
        JsonNode servicePort = service.at("/spec/ports/0");
        assertThat(service.at("/spec/ports").size()).isEqualTo(1);
        assertThat(servicePort.path("port").asInt()).as("Service port").isEqualTo(3306);
        assertThat(servicePort.path("targetPort").asText()).isIn(port.path("name").asText(), "3306");

        // Probes: the image's healthcheck.sh; ready only once InnoDB is up and TCP connections are accepted.
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            assertThat(MariaDbChecks.strings(c.at("/" + probe + "/exec/command"))).as(probe)
                    .startsWith("healthcheck.sh").contains("--connect");
        }
        assertThat(MariaDbChecks.strings(c.at("/readinessProbe/exec/command"))).contains("--innodb_initialized");
        if (c.has("startupProbe")) {
            assertThat(c.at("/startupProbe/exec/command/0").asText()).isEqualTo("healthcheck.sh");
        }

        // Data on a PersistentVolumeClaim of the StatefulSet (one per pod, kept across restarts and rescheduling).
        JsonNode claims = sts.at("/spec/volumeClaimTemplates");
        assertThat(claims.isArray() && claims.size() == 1).as("one volumeClaimTemplate").isTrue();
        JsonNode claim = claims.get(0);
        assertThat(claim.at("/spec/resources/requests/storage").asText()).as("storage request").matches("\\d+(Mi|Gi|Ti)");
        assertThat(claim.at("/spec/accessModes").toString()).contains("ReadWriteOnce");
        assertThat(mountPath(c, claim.at("/metadata/name").asText())).as("data directory on the claim")
                .isEqualTo("/var/lib/mysql");

        // Credentials only from the Secret.
        Set<String> envNames = new TreeSet<>();
        for (JsonNode e : c.path("env")) {
            String name = e.path("name").asText();
            envNames.add(name);
            if (name.contains("PASSWORD") || name.contains("USER")) {
                assertThat(e.has("value")).as(name + " inline").isFalse();
                assertThat(e.at("/valueFrom/secretKeyRef/name").asText()).as(name).isEqualTo(ConnectorManifests.MARIADB_SECRET);
            }
        }
        assertThat(envNames).contains("MARIADB_ROOT_PASSWORD");

        // The init script: mounted where the image's entrypoint runs it, creating the database and both users.
        JsonNode initVolume = null;
        for (JsonNode v : pod.path("volumes")) {
            if (init.at("/metadata/name").asText().equals(v.at("/configMap/name").asText())) {
                initVolume = v;
            }
        }
        assertThat(initVolume).as("a volume of ConfigMap " + init.at("/metadata/name").asText()).isNotNull();
        assertThat(mountPath(c, initVolume.path("name").asText())).isEqualTo("/docker-entrypoint-initdb.d");
        assertThat(init.path("data").size()).isPositive();
        String script = initScriptText(docs);
        assertThat(initDatabases(docs)).contains(GeneratedManifestsTest.DATABASES.get("approval-service"));
        Matcher variables = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)").matcher(script);
        while (variables.find()) {
            assertThat(envNames).as("the init script reads $%s: set in the container", variables.group(1))
                    .contains(variables.group(1));
        }
        assertThat(script).containsPattern("GRANT ALL PRIVILEGES ON approval\\.\\* TO \\$\\(bookmarket_sql_string \"\\$"
                + envFromKey(c, "username") + "\"\\)@'%'");
        MariaDbChecks.checkDebeziumGrant(script, "$(bookmarket_sql_string \"$" + envFromKey(c, "debezium-username") + "\")",
                "init ConfigMap");
        assertThat(script).contains("IDENTIFIED BY $(bookmarket_sql_string \"$" + envFromKey(c, "debezium-password") + "\")",
                "IDENTIFIED BY $(bookmarket_sql_string \"$" + envFromKey(c, "password") + "\")");
    }

    /** The name of the container's environment variable holding this key of the MariaDB Secret. */
    static String envFromKey(JsonNode container, String key) {
        for (JsonNode e : container.path("env")) {
            if (key.equals(e.at("/valueFrom/secretKeyRef/key").asText())) {
                return e.path("name").asText();
            }
        }
        throw new AssertionError("no environment variable from Secret key " + key);
    }

    static String initScriptText(List<JsonNode> docs) {
        StringBuilder text = new StringBuilder();
        one(docs, "ConfigMap").path("data").forEach(v -> text.append(v.asText()).append('\n'));
        return text.toString();
    }

    static Set<String> initDatabases(List<JsonNode> docs) {
        return MariaDbChecks.createdDatabases(initScriptText(docs));
    }

    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (volume.equals(m.path("name").asText())) {
                return m.path("mountPath").asText();
            }
        }
        return null;
    }

    static JsonNode one(List<JsonNode> docs, String kind) {
        List<JsonNode> found = docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    static JsonNode exampleSecret(Path root, String name) {
        return documents(root, "10-secrets.example.yaml").stream()
                .filter(d -> name.equals(d.at("/metadata/name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no Secret " + name + " in 10-secrets.example.yaml"));
    }

    private static ObjectNode spec(List<JsonNode> docs, String kind) {
        return (ObjectNode) one(docs, kind).path("spec");
    }

    private static ObjectNode container(List<JsonNode> docs) {
        return (ObjectNode) one(docs, "StatefulSet").at("/spec/template/spec/containers/0");
    }

    private static void initScript(List<JsonNode> docs, java.util.function.UnaryOperator<String> change) {
        ObjectNode data = (ObjectNode) one(docs, "ConfigMap").path("data");
        String key = data.fieldNames().next();
        data.put(key, change.apply(data.path(key).asText()));
    }

    private static void removeArg(List<JsonNode> docs, String prefix) {
        ArrayNode args = (ArrayNode) container(docs).path("args");
        for (int i = args.size() - 1; i >= 0; i--) {
            if (args.get(i).asText().startsWith(prefix)) {
                args.remove(i);
            }
        }
    }

    private static void replaceArg(List<JsonNode> docs, String prefix, String replacement) {
        removeArg(docs, prefix);
        ((ArrayNode) container(docs).path("args")).add(replacement);
    }

    // ---- tracing ----

    static final String TRACING_FILE = "38-tracing.yaml";
    static final String TRACING_CONFIG_MAP = "bookmarket-tracing";
    /** The tracing settings as the services and Kafka Connect read them: environment variable -> ConfigMap key. */
    static final Map<String, String> TRACING_KEYS = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "otlp-endpoint",
            "OTEL_TRACES_SAMPLER", "sampler", "OTEL_TRACES_SAMPLER_ARG", "sampler-arg");
    /** Samplers that keep a caller's decision (its sampled traceparent), as the OpenTelemetry SDKs name them. */
    static final Set<String> PARENT_BASED_SAMPLERS = Set.of("parentbased_always_on", "parentbased_always_off",
            "parentbased_traceidratio");
    static final String GLOBAL_AUTOCONFIGURE = "otel.java.global-autoconfigure.enabled";

    static JsonNode tracingConfigMap(Path root) {
        return single(root, TRACING_FILE, "ConfigMap");
    }

    @Test
    void tracingConfigMapHoldsTheCollectorEndpointAndAParentBasedSampler() {
        checkTracingConfigMap(tracingConfigMap(root));
    }

    @Test
    void kafkaConnectTracesWithTheSdkOfItsImageAndWithoutStrimziTracing() {
        checkConnectTracing(single(root, "40-kafka-connect.yaml", "KafkaConnect"), tracingConfigMap(root));
    }

    /** The tracing checks must be able to fail: each broken copy of the ConfigMap or of the KafkaConnect is refused. */
    @Test
    void brokenTracingManifestsAreRefused() {
        JsonNode configMap = tracingConfigMap(root);
        Map<String, Consumer<ObjectNode>> configMapBreakers = new LinkedHashMap<>();
        configMapBreakers.put("other name", c -> ((ObjectNode) c.path("metadata")).put("name", "tracing"));
        configMapBreakers.put("no endpoint", c -> data(c).remove("otlp-endpoint"));
        configMapBreakers.put("no sampler", c -> data(c).remove("sampler"));
        configMapBreakers.put("no sampler argument", c -> data(c).remove("sampler-arg"));
        configMapBreakers.put("endpoint not a URL", c -> data(c).put("otlp-endpoint", "otel-collector:4318"));
        configMapBreakers.put("endpoint with the traces path", c -> data(c).put("otlp-endpoint",
                "http://otel-collector.observability.svc:4318/v1/traces"));
        configMapBreakers.put("sampler ignoring the caller", c -> data(c).put("sampler", "traceidratio"));
        configMapBreakers.put("unknown sampler", c -> data(c).put("sampler", "parentbased_sometimes"));
        configMapBreakers.put("ratio above 1", c -> data(c).put("sampler-arg", "10"));
        configMapBreakers.put("ratio not a number", c -> data(c).put("sampler-arg", "10%"));
        configMapBreakers.put("ratio as a YAML number (kubectl refuses it)", c -> data(c).put("sampler-arg", 0.1));
        configMapBreakers.forEach((what, breaker) -> {
            ObjectNode broken = configMap.deepCopy();
            breaker.accept(broken);
            assertThat(broken).as(what + " changes the ConfigMap").isNotEqualTo(configMap);
            assertThatThrownBy(() -> checkTracingConfigMap(broken)).as(what).isInstanceOf(AssertionError.class);
        });

        JsonNode connect = single(root, "40-kafka-connect.yaml", "KafkaConnect");
        Map<String, Consumer<ObjectNode>> connectBreakers = new LinkedHashMap<>();
        connectBreakers.put("Strimzi tracing", c -> ((ObjectNode) c.path("spec")).putObject("tracing").put("type", "opentelemetry"));
        connectBreakers.put("producer interceptor", c -> ((ObjectNode) c.at("/spec/config"))
                .put("producer.interceptor.classes", "io.opentelemetry.instrumentation.kafkaclients.v2_6.TracingProducerInterceptor"));
        connectBreakers.put("no global autoconfigure", c -> ((ObjectNode) c.at("/spec/jvmOptions")).remove("javaSystemProperties"));
        connectBreakers.put("global autoconfigure off", c -> ((ObjectNode) c.at("/spec/jvmOptions/javaSystemProperties/0"))
                .put("value", "false"));
        connectBreakers.put("no endpoint", c -> connectEnv(c).removeIf(e -> "OTEL_EXPORTER_OTLP_ENDPOINT".equals(e.path("name").asText())));
        connectBreakers.put("endpoint inline", c -> {
            ObjectNode e = connectEnvVar(c, "OTEL_EXPORTER_OTLP_ENDPOINT");
            e.remove("valueFrom");
            e.put("value", "http://otel-collector.observability.svc:4318");
        });
        connectBreakers.put("endpoint from another ConfigMap", c -> ((ObjectNode) connectEnvVar(c, "OTEL_EXPORTER_OTLP_ENDPOINT")
                .at("/valueFrom/configMapKeyRef")).put("name", "bookmarket-oidc"));
        connectBreakers.put("sampler from a missing key", c -> ((ObjectNode) connectEnvVar(c, "OTEL_TRACES_SAMPLER")
                .at("/valueFrom/configMapKeyRef")).put("key", "traces-sampler"));
        connectBreakers.put("sampler argument from the sampler key", c -> ((ObjectNode) connectEnvVar(c, "OTEL_TRACES_SAMPLER_ARG")
                .at("/valueFrom/configMapKeyRef")).put("key", "sampler"));
        connectBreakers.put("no OTLP exporter", c -> connectEnvVar(c, "OTEL_TRACES_EXPORTER").put("value", "none"));
        connectBreakers.put("gRPC protocol on the HTTP endpoint", c -> connectEnvVar(c, "OTEL_EXPORTER_OTLP_PROTOCOL").put("value", "grpc"));
        connectBreakers.put("baggage propagator", c -> connectEnvVar(c, "OTEL_PROPAGATORS").put("value", "tracecontext,baggage"));
        connectBreakers.put("metrics to the trace endpoint", c -> connectEnv(c)
                .removeIf(e -> "OTEL_METRICS_EXPORTER".equals(e.path("name").asText())));
        connectBreakers.put("no service name", c -> connectEnv(c).removeIf(e -> "OTEL_SERVICE_NAME".equals(e.path("name").asText())));
        connectBreakers.forEach((what, breaker) -> {
            ObjectNode broken = connect.deepCopy();
            breaker.accept(broken);
            assertThat(broken).as(what + " changes the KafkaConnect").isNotEqualTo(connect);
            assertThatThrownBy(() -> checkConnectTracing(broken, configMap)).as(what).isInstanceOf(AssertionError.class);
        });
        checkTracingConfigMap(configMap.deepCopy());
        checkConnectTracing(connect.deepCopy(), configMap);
    }

    /**
     * ConfigMap bookmarket-tracing: an OTLP/HTTP base URL (the exporters append /v1/traces), a parent-based sampler (a
     * caller's sampled traceparent is kept) and, for a ratio sampler, a ratio in (0, 1]. Every value is a YAML string,
     * as a ConfigMap's data must be.
     */
    static void checkTracingConfigMap(JsonNode configMap) {
        assertThat(configMap.at("/metadata/name").asText()).as("tracing ConfigMap name").isEqualTo(TRACING_CONFIG_MAP);
        JsonNode data = configMap.path("data");
        for (String key : TRACING_KEYS.values()) {
            assertThat(data.has(key)).as("%s has key %s", TRACING_CONFIG_MAP, key).isTrue();
        }
        data.fields().forEachRemaining(d -> assertThat(d.getValue().isTextual()).as("%s %s is a string", TRACING_CONFIG_MAP,
                d.getKey()).isTrue());
        String endpoint = data.path("otlp-endpoint").asText();
        java.net.URI uri = java.net.URI.create(endpoint);
        assertThat(uri.getScheme()).as("otlp-endpoint %s", endpoint).isIn("http", "https");
        assertThat(uri.getHost()).as("otlp-endpoint %s host", endpoint).isNotBlank();
        assertThat(uri.getPath()).as("otlp-endpoint %s is a base URL (/v1/traces is appended)", endpoint).isIn("", "/");
        String sampler = data.path("sampler").asText();
        assertThat(sampler).as("sampler: a caller's sampled traceparent is always honoured").isIn(PARENT_BASED_SAMPLERS);
        if (sampler.endsWith("traceidratio")) {
            String arg = data.path("sampler-arg").asText();
            assertThat(arg).as("sampler-arg: a decimal number").matches("\\d*\\.?\\d+");
            assertThat(Double.parseDouble(arg)).as("sampler-arg ratio").isGreaterThan(0).isLessThanOrEqualTo(1);
        }
    }

    /**
     * The KafkaConnect: no spec.tracing and no tracing interceptors (their producer span would replace the traceparent
     * header the EventRouter writes); GlobalOpenTelemetry autoconfigured from the image's SDK
     * (otel.java.global-autoconfigure.enabled=true); OTLP/HTTP traces only, W3C propagation; endpoint and sampler from
     * the tracing ConfigMap's keys, never inline.
     */
    static void checkConnectTracing(JsonNode connect, JsonNode tracingConfigMap) {
        JsonNode spec = connect.path("spec");
        assertThat(spec.has("tracing")).as("KafkaConnect spec.tracing (its interceptors start a new trace)").isFalse();
        for (String interceptor : List.of("producer.interceptor.classes", "consumer.interceptor.classes")) {
            assertThat(spec.path("config").has(interceptor)).as("KafkaConnect config " + interceptor).isFalse();
        }
        List<String> properties = new ArrayList<>();
        spec.at("/jvmOptions/javaSystemProperties").forEach(p -> properties.add(p.path("name").asText() + "=" + p.path("value").asText()));
        assertThat(properties).as("KafkaConnect javaSystemProperties").contains(GLOBAL_AUTOCONFIGURE + "=true");

        Map<String, JsonNode> env = new java.util.TreeMap<>();
        spec.at("/template/connectContainer/env").forEach(e ->
                assertThat(env.put(e.path("name").asText(), e)).as("env %s set twice", e.path("name").asText()).isNull());
        Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_PROPAGATORS", "tracecontext",
                "OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none").forEach((name, value) ->
                assertThat(env.getOrDefault(name, Repo.JSON.createObjectNode()).path("value").asText()).as("Connect " + name)
                        .isEqualTo(value));
        assertThat(env.getOrDefault("OTEL_SERVICE_NAME", Repo.JSON.createObjectNode()).path("value").asText())
                .as("Connect OTEL_SERVICE_NAME").isNotBlank();
        TRACING_KEYS.forEach((name, key) -> checkFromTracingConfigMap(env.get(name), "Connect " + name, key, tracingConfigMap));
    }

    /** This environment variable is read, by reference, from this key of the tracing ConfigMap, which has it. */
    static void checkFromTracingConfigMap(JsonNode envVar, String what, String key, JsonNode tracingConfigMap) {
        assertThat(envVar).as(what + " set").isNotNull();
        assertThat(envVar.has("value")).as(what + " inline").isFalse();
        JsonNode ref = envVar.at("/valueFrom/configMapKeyRef");
        assertThat(ref.path("name").asText()).as(what + " ConfigMap").isEqualTo(tracingConfigMap.at("/metadata/name").asText())
                .isEqualTo(TRACING_CONFIG_MAP);
        assertThat(ref.path("key").asText()).as(what + " key").isEqualTo(key);
        assertThat(tracingConfigMap.path("data").has(key)).as(what + ": %s has key %s", TRACING_CONFIG_MAP, key).isTrue();
    }

    private static ObjectNode data(ObjectNode configMap) {
        return (ObjectNode) configMap.path("data");
    }

    private static ArrayNode connectEnv(ObjectNode connect) {
        return (ArrayNode) connect.at("/spec/template/connectContainer/env");
    }

    private static ObjectNode connectEnvVar(ObjectNode connect, String name) {
        for (JsonNode e : connectEnv(connect)) {
            if (name.equals(e.path("name").asText())) {
                return (ObjectNode) e;
            }
        }
        throw new AssertionError("KafkaConnect sets no env " + name);
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
