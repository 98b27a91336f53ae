package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * infra/docker-compose.yml checked without a Docker engine: it parses, every reference resolves (services, files,
 * databases, hosts and ports), and the start order lets the connectors find the outbox tables.
 */
class ComposeTest {

    private static final List<String> APPS = List.of("regrequest-service", "approval-service", "publisher-view");
    private static final Map<String, Integer> APP_PORTS = Map.of(
            "regrequest-service", 8085, "approval-service", 8086, "publisher-view", 8087);

    private final Path root = Repo.root();
    private final Path composeDir = root.resolve("infra");
    private final JsonNode compose = single(Repo.yamlDocuments(composeDir.resolve("docker-compose.yml")));
    private final JsonNode services = compose.path("services");

    private static JsonNode single(List<JsonNode> docs) {
        assertThat(docs).as("one YAML document").hasSize(1);
        return docs.get(0);
    }

    @Test
    void hasTheWholeSystem() {
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("postgres", "kafka", "connect", "register-connectors",
                "regrequest-service", "approval-service", "publisher-view");
        assertThat(services.at("/postgres/image").asText()).startsWith("postgres:17");
        assertThat(services.at("/postgres/command").toString()).contains("wal_level=logical", "max_replication_slots",
                "max_wal_senders");
        assertThat(services.at("/kafka/image").asText()).startsWith("apache/kafka:4.1");
        assertThat(services.at("/kafka/environment/KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(services.at("/connect/image").asText()).startsWith("quay.io/debezium/connect:3.");
        // Images are pinned to a version, never a moving "latest".
        services.forEach(s -> {
            if (s.has("image")) {
                assertThat(s.path("image").asText()).contains(":").doesNotEndWith(":latest");
            }
        });
    }

    @Test
    void dependsOnTargetsExistAndHealthConditionsHaveHealthchecks() {
        services.fields().forEachRemaining(service -> {
            JsonNode dependsOn = service.getValue().path("depends_on");
            dependsOn.fields().forEachRemaining(dep -> {
                String what = service.getKey() + " depends on " + dep.getKey();
                assertThat(services.has(dep.getKey())).as(what).isTrue();
                String condition = dep.getValue().path("condition").asText();
                assertThat(condition).as(what).isIn("service_healthy", "service_started", "service_completed_successfully");
                if ("service_healthy".equals(condition)) {
                    assertThat(services.path(dep.getKey()).has("healthcheck")).as(what + " (healthy needs a healthcheck)").isTrue();
                }
            });
        });
        // Long-running services all report health; the one-shot registration does not need to.
        services.fields().forEachRemaining(s -> {
            if (!"register-connectors".equals(s.getKey())) {
                assertThat(s.getValue().at("/healthcheck/test").isArray()).as(s.getKey() + " healthcheck").isTrue();
            }
        });
        assertNoDependsOnCycle(services);
    }

    @Test
    void aDependsOnCycleIsFound() throws Exception {
        JsonNode cyclic = new ObjectMapper().readTree("""
                {"a": {"depends_on": {"b": {}}}, "b": {"depends_on": {"c": {}}}, "c": {"depends_on": {"a": {}}}, "d": {}}""");
        assertThatThrownBy(() -> assertNoDependsOnCycle(cyclic)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("depends_on cycle");
        assertNoDependsOnCycle(new ObjectMapper().readTree("""
                {"a": {"depends_on": {"b": {}, "c": {}}}, "b": {"depends_on": {"c": {}}}, "c": {}}"""));
    }

    /** Fails (AssertionError naming a service on the cycle) when depends_on links the services in a cycle. */
    static void assertNoDependsOnCycle(JsonNode services) {
        Set<String> done = new HashSet<>();
        services.fieldNames().forEachRemaining(name -> visit(services, name, new HashSet<>(), done));
    }

    private static void visit(JsonNode services, String name, Set<String> path, Set<String> done) {
        if (done.contains(name)) {
            return;
        }
        assertThat(path.add(name)).as("depends_on cycle through " + name).isTrue();
        services.path(name).path("depends_on").fieldNames().forEachRemaining(dep -> visit(services, dep, path, done));
        path.remove(name);
        done.add(name);
    }

    @Test
    void hostPortsAreUniqueAndTheServicesKeepTheOriginalPorts() {
        Set<String> hostPorts = new HashSet<>();
        services.fields().forEachRemaining(s -> s.getValue().path("ports").forEach(p -> {
            String[] parts = p.asText().split(":");
            assertThat(parts).as(s.getKey() + " port " + p.asText()).hasSize(2);
            assertThat(hostPorts.add(parts[0])).as("host port %s used twice", parts[0]).isTrue();
        }));
        APP_PORTS.forEach((app, port) -> {
            assertThat(services.at("/" + app + "/ports/0").asText()).isEqualTo(port + ":" + port);
            assertThat(services.at("/" + app + "/healthcheck/test/1").asText()).contains("/" + port + " ", "/q/health/ready");
        });
    }

    @Test
    void servicesGetTheirDatabaseKafkaAndApprovalCoordinates() {
        String initSql = Repo.read(composeDir.resolve("compose/initdb/01-databases.sql"));
        JsonNode kafkaEnv = services.at("/kafka/environment");
        for (String app : APPS) {
            JsonNode env = services.path(app).path("environment");
            assertThat(env.has("DB_URL") && env.has("DB_USER") && env.has("DB_PASSWORD")
                    && env.has("KAFKA_BOOTSTRAP_SERVERS")).as(app + " environment " + env).isTrue();
            URI db = URI.create(env.path("DB_URL").asText().substring("jdbc:".length()));
            assertThat(db.getHost()).isEqualTo("postgres");
            String database = db.getPath().substring(1);
            assertThat(initSql).as("database %s is created", database).contains("CREATE DATABASE " + database + ";");
            assertThat(env.path("DB_USER").asText()).isEqualTo(services.at("/postgres/environment/POSTGRES_USER").asText());
            assertThat(env.path("DB_PASSWORD").asText()).isEqualTo(services.at("/postgres/environment/POSTGRES_PASSWORD").asText());
            assertThat(kafkaEnv.path("KAFKA_ADVERTISED_LISTENERS").asText())
                    .as("%s's bootstrap server is advertised by kafka", app)
                    .contains("//" + env.path("KAFKA_BOOTSTRAP_SERVERS").asText());
            assertThat(services.at("/" + app + "/depends_on").has("postgres")).isTrue();
            assertThat(services.at("/" + app + "/depends_on").has("kafka")).isTrue();
        }
        URI approval = URI.create(services.at("/regrequest-service/environment/APPROVAL_URL").asText());
        assertThat(approval.getHost()).isEqualTo("approval-service");
        assertThat(approval.getPort()).isEqualTo(APP_PORTS.get("approval-service"));
        assertThat(services.at("/regrequest-service/depends_on").has("approval-service")).isTrue();
    }

    @Test
    void connectorsAreRegisteredFromTheContractFilesAfterTheProducersCreatedTheirOutboxTables() {
        JsonNode register = services.path("register-connectors");
        assertThat(register.path("restart").asText()).isEqualTo("no");
        List<String> mounts = new ArrayList<>();
        register.path("volumes").forEach(v -> mounts.add(v.asText()));
        assertThat(mounts).contains("./contracts/connectors:/connectors:ro");
        assertThat(register.path("entrypoint").toString()).contains("/register-connectors.sh");

        JsonNode dependsOn = register.path("depends_on");
        assertThat(dependsOn.at("/connect/condition").asText()).isEqualTo("service_healthy");
        for (Path file : ConnectorManifests.connectorFiles(root)) {
            // Each connector reads the outbox of the service owning its database: that service must be healthy
            // (migrated) first, or the filtered publication finds no table.
            String database = Repo.json(file).at("/config/database.dbname").asText();
            String owner = APPS.stream().filter(app -> services.at("/" + app + "/environment/DB_URL").asText()
                    .endsWith("/" + database)).findFirst().orElseThrow(() -> new AssertionError("no service uses " + database));
            assertThat(dependsOn.at("/" + owner + "/condition").asText()).as(file.getFileName().toString())
                    .isEqualTo("service_healthy");
        }

        String script = Repo.read(composeDir.resolve("compose/register-connectors.sh"));
        for (String key : ConnectorManifests.COORDINATES.keySet()) {
            // A sed expression per key: s|\"<key>\": *\"[^\"]*\"|...| (quotes escaped inside the shell string).
            assertThat(script).as("the script replaces %s", key).contains("\"s|\\\"" + key + "\\\": *\\\"[^\\\"]*\\\"|");
        }
        JsonNode env = register.path("environment");
        assertThat(env.path("CONNECT_URL").asText()).isEqualTo("http://connect:8083");
        assertThat(env.path("DB_HOST").asText()).isEqualTo("postgres");
        for (String variable : List.of("CONNECT_URL", "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD")) {
            assertThat(env.has(variable)).as(variable).isTrue();
            assertThat(script).contains("${" + variable);
        }
    }

    @Test
    void everyBindMountAndBuildContextExistsInTheRepository() {
        services.fields().forEachRemaining(s -> {
            s.getValue().path("volumes").forEach(v -> {
                String source = v.asText().split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(composeDir.resolve(source).normalize()).as(s.getKey() + " mounts " + source).exists();
                }
            });
            JsonNode build = s.getValue().path("build");
            if (!build.isMissingNode()) {
                Path context = composeDir.resolve(build.path("context").asText()).normalize();
                assertThat(context.resolve("pom.xml")).as(s.getKey() + " build context is a Maven module").exists();
                assertThat(build.path("dockerfile").asText()).isEqualTo("src/main/docker/Dockerfile.jvm");
            }
        });
        assertThat(Files.isExecutable(composeDir.resolve("compose/register-connectors.sh"))).isTrue();
    }

    /** The Quarkus Dockerfiles of every service: Compose and images.yml build Dockerfile.jvm / Dockerfile.native. */
    @Test
    void serviceDockerfilesExist() {
        for (String app : APPS) {
            for (String flavor : List.of("jvm", "native", "native-micro")) {
                Path file = root.resolve(app).resolve("src/main/docker/Dockerfile." + flavor);
                assertThat(file).as(app + " Dockerfile." + flavor).isRegularFile();
                String text = Repo.read(file);
                // A pinned base image (UBI), never a moving tag.
                String from = text.lines().filter(l -> l.startsWith("FROM ")).findFirst().orElseThrow().substring(5).trim();
                assertThat(from).as(app + " " + flavor + " base image").matches(
                        "(registry\\.access\\.redhat\\.com|quay\\.io)/[a-z0-9/._-]+:[0-9a-z][0-9a-z._-]*")
                        .doesNotEndWith(":latest");
                // What the Dockerfile copies is what the build writes, relative to the module (the build context).
                if (flavor.equals("jvm")) {
                    assertThat(text).contains("COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/",
                            "/deployments/quarkus-run.jar", "EXPOSE " + APP_PORTS.get(app));
                } else {
                    assertThat(text).contains("target/*-runner /work/application", "EXPOSE " + APP_PORTS.get(app));
                }
            }
        }
    }
}
