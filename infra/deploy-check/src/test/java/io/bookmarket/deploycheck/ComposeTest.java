package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * infra/docker-compose.yml checked without a Docker engine: it parses, every reference resolves (services, files,
 * databases, users, hosts and ports), approval-service's MariaDB keeps the binlog Debezium reads, Kafka Connect has
 * both connector plugins, and the start order lets the connectors find the outbox tables.
 */
class ComposeTest {

    private static final List<String> APPS = List.of("regrequest-service", "approval-service", "publisher-view");
    private static final Map<String, Integer> APP_PORTS = Map.of(
            "regrequest-service", 8085, "approval-service", 8086, "publisher-view", 8087);
    /** Database engine per service: approval-service on MariaDB, the others on PostgreSQL. */
    private static final Map<String, String> ENGINES = Map.of(
            "regrequest-service", "postgresql", "approval-service", "mariadb", "publisher-view", "postgresql");
    /** The Compose service and container port of each engine. */
    private static final Map<String, String> ENGINE_SERVICES = Map.of("postgresql", "postgres", "mariadb", "mariadb");
    private static final Map<String, Integer> ENGINE_PORTS = Map.of("postgresql", 5432, "mariadb", 3306);
    private static final String POSTGRES_INIT = "compose/initdb/postgres";
    private static final String MARIADB_INIT = "compose/initdb/mariadb";
    private static final String CONNECT_DOCKERFILE = "compose/connect/Dockerfile";
    /** The trace backend: Jaeger v2 all-in-one, OTLP/HTTP on 4318 inside the Compose network, its UI on 16686. */
    static final String JAEGER = "jaeger";
    static final String OTLP_ENDPOINT = "http://" + JAEGER + ":4318";
    static final String JAEGER_UI = "127.0.0.1:16686:16686";

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
        assertThat(names).containsExactlyInAnyOrder("postgres", "mariadb", "kafka", "connect", "register-connectors",
                "keycloak", "regrequest-service", "approval-service", "publisher-view", "gateway", JAEGER);
        assertThat(services.at("/postgres/image").asText()).startsWith("postgres:17");
        assertThat(services.at("/postgres/command").toString()).contains("wal_level=logical", "max_replication_slots",
                "max_wal_senders");
        assertThat(services.at("/kafka/image").asText()).startsWith("apache/kafka:4.1");
        assertThat(services.at("/kafka/environment/KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        MariaDbChecks.checkImage(services.at("/mariadb/image").asText(), "compose mariadb");
        // Connect is Debezium's image plus the MariaDB plugin (compose/connect/Dockerfile), pinned like the others.
        assertThat(services.at("/connect/build/context").asText()).isEqualTo("./compose/connect");
        assertThat(baseImage(Repo.read(composeDir.resolve(CONNECT_DOCKERFILE))))
                .matches("quay\\.io/debezium/connect:3\\.\\d+\\.\\d+\\.Final");
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
            // [host IP:]host port:container port
            String[] parts = p.asText().split(":");
            assertThat(parts).as(s.getKey() + " port " + p.asText()).hasSizeBetween(2, 3);
            String hostPort = parts[parts.length - 2];
            assertThat(hostPorts.add(hostPort)).as("host port %s used twice", hostPort).isTrue();
        }));
        APP_PORTS.forEach((app, port) -> {
            assertThat(services.at("/" + app + "/ports/0").asText()).isEqualTo("127.0.0.1:" + port + ":" + port);
            assertThat(services.at("/" + app + "/healthcheck/test/1").asText()).contains("/" + port + " ", "/q/health/ready");
        });
    }

    @Test
    void servicesGetTheirDatabaseKafkaAndApprovalCoordinates() {
        String postgresInit = sqlFiles(POSTGRES_INIT);
        String mariadbInit = sqlFiles(MARIADB_INIT);
        JsonNode kafkaEnv = services.at("/kafka/environment");
        Set<String> postgresDatabases = new TreeSet<>();
        for (String app : APPS) {
            JsonNode env = services.path(app).path("environment");
            assertThat(env.has("DB_URL") && env.has("DB_USER") && env.has("DB_PASSWORD")
                    && env.has("KAFKA_BOOTSTRAP_SERVERS")).as(app + " environment " + env).isTrue();
            String engine = ENGINES.get(app);
            String url = env.path("DB_URL").asText();
            assertThat(url).as(app + " DB_URL").startsWith("jdbc:" + engine + "://");
            URI db = URI.create(url.substring("jdbc:".length()));
            String dbService = ENGINE_SERVICES.get(engine);
            assertThat(db.getHost()).as(app + " database host").isEqualTo(dbService);
            assertThat(db.getPort()).as(app + " database port").isIn(-1, ENGINE_PORTS.get(engine));
            String database = db.getPath().substring(1);
            String user = env.path("DB_USER").asText();
            String password = env.path("DB_PASSWORD").asText();
            if (engine.equals("postgresql")) {
                postgresDatabases.add(database);
                assertThat(MariaDbChecks.createdDatabases(postgresInit)).as("database %s is created", database).contains(database);
                assertThat(user).isEqualTo(services.at("/postgres/environment/POSTGRES_USER").asText());
                assertThat(password).isEqualTo(services.at("/postgres/environment/POSTGRES_PASSWORD").asText());
            } else {
                checkMariaDbServiceUser(mariadbInit, database, user, password, app);
            }
            assertThat(kafkaEnv.path("KAFKA_ADVERTISED_LISTENERS").asText())
                    .as("%s's bootstrap server is advertised by kafka", app)
                    .contains("//" + env.path("KAFKA_BOOTSTRAP_SERVERS").asText());
            assertThat(services.at("/" + app + "/depends_on/" + dbService + "/condition").asText())
                    .as("%s waits for a healthy %s", app, dbService).isEqualTo("service_healthy");
            assertThat(services.at("/" + app + "/depends_on").has("kafka")).isTrue();
        }
        // Keycloak keeps its data in a database of its own on the same server.
        postgresDatabases.add(URI.create(services.at("/keycloak/environment/KC_DB_URL").asText().substring("jdbc:".length()))
                .getPath().substring(1));
        // No leftover database nobody uses (approval moved to MariaDB).
        assertThat(MariaDbChecks.createdDatabases(postgresInit)).as("databases created in PostgreSQL")
                .isEqualTo(postgresDatabases);
        URI approval = URI.create(services.at("/regrequest-service/environment/APPROVAL_URL").asText());
        assertThat(approval.getHost()).isEqualTo("approval-service");
        assertThat(approval.getPort()).isEqualTo(APP_PORTS.get("approval-service"));
        assertThat(services.at("/regrequest-service/depends_on").has("approval-service")).isTrue();
    }

    /** The init SQL creates the database, and the user with this password and every right on it. */
    static void checkMariaDbServiceUser(String initSql, String database, String user, String password, String what) {
        assertThat(MariaDbChecks.createdDatabases(initSql)).as("%s: database %s is created", what, database).contains(database);
        assertThat(initSql).as("%s: user %s is created with its password", what, user)
                .containsPattern("(?i)CREATE USER (IF NOT EXISTS )?'" + Pattern.quote(user) + "'@'%'\\s+IDENTIFIED BY '"
                        + Pattern.quote(password) + "'");
        assertThat(initSql).as("%s: %s has every right on %s", what, user, database)
                .containsPattern("(?i)GRANT ALL( PRIVILEGES)? ON `?" + Pattern.quote(database) + "`?\\.\\* TO '"
                        + Pattern.quote(user) + "'@'%'");
    }

    @Test
    void mariadbKeepsTheBinlogDebeziumReadsAndCommitsDurably() {
        checkMariaDb(services.path("mariadb"));
        String init = sqlFiles(MARIADB_INIT);
        JsonNode register = services.at("/register-connectors/environment");
        String debezium = register.path("MARIADB_USER").asText();
        assertThat(debezium).isNotBlank().isNotEqualTo("root");
        assertThat(init).as("Debezium's user is created with the password register-connectors gives it")
                .containsPattern("(?i)CREATE USER (IF NOT EXISTS )?'" + Pattern.quote(debezium) + "'@'%'\\s+IDENTIFIED BY '"
                        + Pattern.quote(register.path("MARIADB_PASSWORD").asText()) + "'");
        MariaDbChecks.checkDebeziumGrant(init, "'" + debezium + "'", MARIADB_INIT);

        // The connector is a replication client with its own server id, never the server's.
        int serverId = MariaDbChecks.serverId(MariaDbChecks.strings(services.at("/mariadb/command")));
        for (Path file : ConnectorManifests.connectorFiles(root)) {
            JsonNode config = Repo.json(file).path("config");
            if (ConnectorManifests.MARIADB_CONNECTOR.equals(config.path("connector.class").asText())) {
                assertThat(config.path("database.server.id").asText()).as(file.getFileName() + " database.server.id")
                        .matches("\\d+").isNotEqualTo(Integer.toString(serverId));
            }
        }
    }

    /** The checks on the mariadb service must be able to fail: each broken copy is refused. */
    @Test
    void brokenMariaDbServicesAreRefused() {
        Map<String, Consumer<ObjectNode>> breakers = new LinkedHashMap<>();
        breakers.put("no binlog", m -> removeArg(m, "--log-bin"));
        breakers.put("statement binlog", m -> replaceArg(m, "--binlog_format=", "--binlog_format=STATEMENT"));
        breakers.put("minimal row image", m -> replaceArg(m, "--binlog_row_image=", "--binlog-row-image=MINIMAL"));
        breakers.put("no server id", m -> removeArg(m, "--server_id="));
        breakers.put("no strict GTIDs", m -> replaceArg(m, "--gtid_strict_mode=", "--gtid_strict_mode=OFF"));
        breakers.put("binlog not synced", m -> replaceArg(m, "--sync_binlog=", "--sync_binlog=0"));
        breakers.put("redo log not flushed", m -> replaceArg(m, "--innodb_flush_log_at_trx_commit=",
                "--innodb-flush-log-at-trx-commit=2"));
        breakers.put("binlog switched off", m -> ((ArrayNode) m.path("command")).add("--skip-log-bin"));
        breakers.put("binlogs kept forever", m -> removeArg(m, "--binlog_expire_logs_seconds="));
        breakers.put("latin1", m -> replaceArg(m, "--character-set-server=", "--character-set-server=latin1"));
        breakers.put("no healthcheck", m -> m.remove("healthcheck"));
        breakers.put("healthcheck without InnoDB", m -> ((ObjectNode) m.path("healthcheck"))
                .set("test", new ObjectMapper().createArrayNode().add("CMD").add("healthcheck.sh").add("--connect")));
        breakers.put("no data volume", m -> ((ArrayNode) m.path("volumes")).remove(1));
        breakers.put("no init SQL", m -> ((ArrayNode) m.path("volumes")).remove(0));
        breakers.put("moving image tag", m -> m.put("image", "mariadb:11.4"));
        breakers.put("other major version", m -> m.put("image", "mariadb:11.8.3"));
        breakers.forEach((what, breaker) -> {
            ObjectNode broken = services.path("mariadb").deepCopy();
            breaker.accept(broken);
            assertThatThrownBy(() -> checkMariaDb(broken)).as(what).isInstanceOf(AssertionError.class);
        });

        String init = sqlFiles(MARIADB_INIT);
        String noBinlogMonitor = init.replace("BINLOG MONITOR", "PROCESS");
        assertThatThrownBy(() -> MariaDbChecks.checkDebeziumGrant(noBinlogMonitor, "'debezium'", "broken init"))
                .isInstanceOf(AssertionError.class);
        String onlyOnApproval = init.replace("ON *.* TO 'debezium'", "ON approval.* TO 'debezium'");
        assertThatThrownBy(() -> MariaDbChecks.checkDebeziumGrant(onlyOnApproval, "'debezium'", "broken init"))
                .isInstanceOf(AssertionError.class);
        String noServiceGrant = init.replace("GRANT ALL PRIVILEGES ON approval.*", "GRANT SELECT ON approval.*");
        assertThatThrownBy(() -> checkMariaDbServiceUser(noServiceGrant, "approval", "bookmarket", "bookmarket", "broken"))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> checkMariaDbServiceUser(init, "approval", "bookmarket", "other", "broken"))
                .isInstanceOf(AssertionError.class);
    }

    /** The mariadb service: pinned 11.4 image, binlog and durability flags, init SQL, data volume, healthcheck. */
    static void checkMariaDb(JsonNode mariadb) {
        MariaDbChecks.checkImage(mariadb.path("image").asText(), "compose mariadb");
        MariaDbChecks.checkServerOptions(MariaDbChecks.strings(mariadb.path("command")), "compose mariadb");
        List<String> volumes = MariaDbChecks.strings(mariadb.path("volumes"));
        assertThat(volumes).as("mariadb init SQL").contains("./" + MARIADB_INIT + ":/docker-entrypoint-initdb.d:ro");
        assertThat(volumes).as("mariadb data in a named volume")
                .anyMatch(v -> v.matches("[a-z][a-z0-9_-]*:/var/lib/mysql(:rw)?"));
        assertThat(mariadb.at("/environment/MARIADB_ROOT_PASSWORD").asText()).as("root password").isNotBlank();
        assertThat(MariaDbChecks.strings(mariadb.at("/healthcheck/test"))).as("mariadb healthcheck")
                .containsSubsequence("healthcheck.sh", "--connect").contains("--innodb_initialized");
    }

    @Test
    void keycloakImportsTheRealmAndTheServicesVerifyTokensWithIt() {
        checkKeycloak(services, sqlFiles(POSTGRES_INIT), composeDir, root);
    }

    /** The checks on the keycloak service and the services' OIDC settings must be able to fail. */
    @Test
    void brokenKeycloakSettingsAreRefused() {
        String postgresInit = sqlFiles(POSTGRES_INIT);
        Map<String, Consumer<ObjectNode>> breakers = new LinkedHashMap<>();
        breakers.put("moving image tag", s -> kc(s).put("image", "quay.io/keycloak/keycloak:latest"));
        breakers.put("other version than the stack's", s -> kc(s).put("image", "quay.io/keycloak/keycloak:26.5.6"));
        breakers.put("development mode", s -> kc(s).set("command", strings("start-dev", "--import-realm")));
        breakers.put("no realm import", s -> kc(s).set("command", strings("start")));
        breakers.put("realm not mounted", s -> kc(s).remove("volumes"));
        breakers.put("realm mounted outside the import directory", s -> kc(s).set("volumes",
                strings("./keycloak/bookmarket-realm.json:/tmp/bookmarket-realm.json:ro")));
        breakers.put("another realm file", s -> kc(s).set("volumes",
                strings("./keycloak/other-realm.json:/opt/keycloak/data/import/bookmarket-realm.json:ro")));
        breakers.put("embedded database", s -> kcEnv(s).remove("KC_DB"));
        breakers.put("a service's database", s -> kcEnv(s).put("KC_DB_URL", "jdbc:postgresql://postgres:5432/regrequest"));
        breakers.put("database nobody creates", s -> kcEnv(s).put("KC_DB_URL", "jdbc:postgresql://postgres:5432/kc"));
        breakers.put("wrong database password", s -> kcEnv(s).put("KC_DB_PASSWORD", "secret"));
        breakers.put("starts before postgres", s -> ((ObjectNode) kc(s).path("depends_on")).remove("postgres"));
        breakers.put("health off", s -> kcEnv(s).put("KC_HEALTH_ENABLED", "false"));
        breakers.put("no healthcheck", s -> kc(s).remove("healthcheck"));
        breakers.put("healthcheck on the HTTP port", s -> ((ObjectNode) kc(s).path("healthcheck")).set("test", strings(
                "CMD-SHELL", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3")));
        breakers.put("HTTP off", s -> kcEnv(s).remove("KC_HTTP_ENABLED"));
        breakers.put("issuer of the Compose network", s -> kcEnv(s).put("KC_HOSTNAME", "http://keycloak:8080"));
        breakers.put("issuer on another port", s -> kcEnv(s).put("KC_HOSTNAME", "http://127.0.0.1:8080"));
        breakers.put("no fixed issuer", s -> kcEnv(s).remove("KC_HOSTNAME"));
        breakers.put("backchannel URLs fixed to the host", s -> kcEnv(s).remove("KC_HOSTNAME_BACKCHANNEL_DYNAMIC"));
        breakers.put("not on the launcher's port", s -> kc(s).set("ports", strings("8180:8080")));
        breakers.put("service without OIDC_URL", s -> env(s, "approval-service").remove("OIDC_URL"));
        breakers.put("service on the master realm", s -> env(s, "publisher-view").put("OIDC_URL", "http://keycloak:8080/realms/master"));
        breakers.put("service through the host's port", s -> env(s, "regrequest-service")
                .put("OIDC_URL", "http://127.0.0.1:18180/realms/bookmarket"));
        breakers.put("service starts before keycloak", s -> ((ObjectNode) s.path("regrequest-service").path("depends_on"))
                .remove("keycloak"));
        breakers.put("keycloak only started", s -> ((ObjectNode) s.at("/approval-service/depends_on/keycloak"))
                .put("condition", "service_started"));
        breakers.put("no client secret", s -> env(s, "regrequest-service").remove("OIDC_CLIENT_SECRET"));
        breakers.put("the CLI's client", s -> env(s, "regrequest-service").put("OIDC_CLIENT_ID", "bookmarket-cli"));
        breakers.forEach((what, breaker) -> {
            ObjectNode broken = services.deepCopy();
            breaker.accept(broken);
            assertThat(broken).as(what + " changes the file").isNotEqualTo(services);
            assertThatThrownBy(() -> checkKeycloak(broken, postgresInit, composeDir, root)).as(what)
                    .isInstanceOf(AssertionError.class);
        });
        checkKeycloak(services.deepCopy(), postgresInit, composeDir, root);
    }

    /**
     * The keycloak service: the pinned image in production mode ({@code start}) importing the repository's realm file,
     * its own database in the postgres service, health on the management port with a healthcheck, and the issuer
     * fixed to the published port (the launcher's) while backchannel URLs follow the request. Each service reads the
     * realm at http://keycloak:8080 once Keycloak is healthy; regrequest-service has its client's credentials.
     */
    static void checkKeycloak(JsonNode services, String postgresInit, Path composeDir, Path root) {
        JsonNode kc = services.path("keycloak");
        assertThat(kc.path("image").asText()).as("keycloak image").isEqualTo(KeycloakChecks.IMAGE);
        List<String> command = MariaDbChecks.strings(kc.path("command"));
        assertThat(command).as("keycloak command: production mode with the realm import").isNotEmpty();
        assertThat(command.get(0)).as("keycloak command").isEqualTo("start");
        assertThat(command).as("keycloak command").contains("--import-realm");
        Path realmFile = root.resolve(RealmImportManifest.REALM_FILE).normalize();
        assertThat(MariaDbChecks.strings(kc.path("volumes"))).as("the realm file in Keycloak's import directory")
                .anyMatch(v -> {
                    String[] parts = v.split(":");
                    return parts.length >= 2 && composeDir.resolve(parts[0]).normalize().equals(realmFile)
                            && parts[1].matches("/opt/keycloak/data/import/[^/]+\\.json");
                });

        JsonNode env = kc.path("environment");
        assertThat(env.path("KC_DB").asText()).as("KC_DB").isEqualTo("postgres");
        String url = env.path("KC_DB_URL").asText();
        assertThat(url).as("KC_DB_URL").startsWith("jdbc:postgresql://");
        URI db = URI.create(url.substring("jdbc:".length()));
        assertThat(db.getHost()).as("Keycloak's database host").isEqualTo("postgres");
        assertThat(db.getPort()).as("Keycloak's database port").isIn(-1, 5432);
        String database = db.getPath().substring(1);
        assertThat(MariaDbChecks.createdDatabases(postgresInit)).as("database %s is created", database).contains(database);
        for (String app : APPS) {
            assertThat(services.at("/" + app + "/environment/DB_URL").asText()).as("Keycloak's database is its own")
                    .doesNotEndWith("/" + database);
        }
        assertThat(env.path("KC_DB_USERNAME").asText()).isEqualTo(services.at("/postgres/environment/POSTGRES_USER").asText());
        assertThat(env.path("KC_DB_PASSWORD").asText()).isEqualTo(services.at("/postgres/environment/POSTGRES_PASSWORD").asText());
        assertThat(kc.at("/depends_on/postgres/condition").asText()).as("keycloak waits for postgres").isEqualTo("service_healthy");

        assertThat(env.path("KC_HEALTH_ENABLED").asText()).as("KC_HEALTH_ENABLED").isEqualTo("true");
        assertThat(String.join(" ", MariaDbChecks.strings(kc.at("/healthcheck/test")))).as("keycloak healthcheck")
                .contains("/dev/tcp/127.0.0.1/9000", "GET /health/ready ");

        // Issuer: the published port's URL, whoever asks; backchannel URLs (keys, token endpoint) follow the request.
        assertThat(env.path("KC_HTTP_ENABLED").asText()).as("KC_HTTP_ENABLED").isEqualTo("true");
        assertThat(MariaDbChecks.strings(kc.path("ports"))).as("keycloak's published port")
                .contains("127.0.0.1:" + KeycloakChecks.LOCAL_PORT + ":8080");
        assertThat(env.path("KC_HOSTNAME").asText()).as("KC_HOSTNAME (the tokens' issuer)")
                .isEqualTo("http://127.0.0.1:" + KeycloakChecks.LOCAL_PORT);
        assertThat(env.path("KC_HOSTNAME_BACKCHANNEL_DYNAMIC").asText()).as("KC_HOSTNAME_BACKCHANNEL_DYNAMIC").isEqualTo("true");

        for (String app : APPS) {
            assertThat(services.at("/" + app + "/environment/OIDC_URL").asText()).as(app + " OIDC_URL")
                    .isEqualTo("http://keycloak:8080/realms/" + RealmImportManifest.REALM);
            assertThat(services.at("/" + app + "/depends_on/keycloak/condition").asText()).as(app + " waits for keycloak")
                    .isEqualTo("service_healthy");
        }
        JsonNode regrequest = services.at("/regrequest-service/environment");
        assertThat(regrequest.path("OIDC_CLIENT_ID").asText()).as("regrequest OIDC_CLIENT_ID").isEqualTo(KeycloakChecks.SERVICE_CLIENT);
        assertThat(regrequest.path("OIDC_CLIENT_SECRET").asText()).as("regrequest OIDC_CLIENT_SECRET").isNotBlank();
    }

    private static ObjectNode kc(ObjectNode services) {
        return (ObjectNode) services.path("keycloak");
    }

    private static ObjectNode kcEnv(ObjectNode services) {
        return (ObjectNode) services.at("/keycloak/environment");
    }

    private static ObjectNode env(ObjectNode services, String service) {
        return (ObjectNode) services.path(service).path("environment");
    }

    private static ArrayNode strings(String... values) {
        ArrayNode array = new ObjectMapper().createArrayNode();
        for (String v : values) {
            array.add(v);
        }
        return array;
    }

    /**
     * Only what a user needs is published (the gateway, the services' API ports, Keycloak's sign-in, the trace UI), and only on the
     * loopback interface: never the databases, Kafka, Kafka Connect's unauthenticated REST API, nor anything on every
     * interface.
     */
    @Test
    void onlyTheApiSignInAndTraceUiArePublishedAndOnlyOnLoopback() {
        checkExposure(services);
        Map<String, Consumer<ObjectNode>> breakers = new LinkedHashMap<>();
        breakers.put("PostgreSQL published", s -> ((ObjectNode) s.path("postgres")).set("ports", strings("127.0.0.1:5432:5432")));
        breakers.put("Connect's REST API published", s -> ((ObjectNode) s.path("connect")).set("ports", strings("127.0.0.1:8083:8083")));
        breakers.put("a service on every interface", s -> ((ObjectNode) s.path("approval-service")).set("ports", strings("8086:8086")));
        breakers.put("Keycloak on every interface", s -> ((ObjectNode) s.path("keycloak")).set("ports", strings("0.0.0.0:18180:8080")));
        breakers.forEach((what, breaker) -> {
            ObjectNode broken = services.deepCopy();
            breaker.accept(broken);
            assertThatThrownBy(() -> checkExposure(broken)).as(what).isInstanceOf(AssertionError.class);
        });
    }

    static void checkExposure(JsonNode services) {
        java.util.Set<String> publishing = new java.util.TreeSet<>();
        services.fields().forEachRemaining(s -> {
            if (s.getValue().path("ports").size() > 0) {
                publishing.add(s.getKey());
            }
            s.getValue().path("ports").forEach(p -> assertThat(p.asText()).as(s.getKey() + " port " + p.asText())
                    .startsWith("127.0.0.1:"));
        });
        assertThat(publishing).as("services that publish ports")
                .containsExactlyInAnyOrder("gateway", "regrequest-service", "approval-service", "publisher-view", "keycloak", JAEGER);
    }

    /**
     * Compose's gateway (nginx, infra/compose/gateway/nginx.conf) routes what the Ingress routes, each path and its
     * sub-paths to the same service, the start page exactly; any other path is its 404.
     */
    @Test
    void theGatewayRoutesThePathsTheIngressRoutesAndNothingElse() throws java.io.IOException {
        assertThat(MariaDbChecks.strings(services.path("gateway").path("ports"))).containsExactly("127.0.0.1:8080:8080");
        String conf = Files.readString(composeDir.resolve("compose/gateway/nginx.conf"));
        GeneratedManifestsTest.INGRESS_PATHS.forEach((service, paths) -> paths.forEach(path -> {
            String target = "http://" + service + ":" + APP_PORTS.get(service);
            assertThat(nginxRoute(conf, path)).as(path).isEqualTo(target);
            if (!path.equals("/")) {
                assertThat(nginxRoute(conf, path + "/7")).as(path + "/7").isEqualTo(target);
                assertThat(nginxRoute(conf, path + "x")).as(path + "x").isNull();
            }
        }));
        for (String other : List.of("/q/metrics", "/admin", "/UI/requests", "/ui", "/realms/bookmarket")) {
            assertThat(nginxRoute(conf, other)).as(other).isNull();
        }
    }

    /** The proxy_pass of the location nginx picks for a path (exact, then regular expressions in order), or null. */
    static String nginxRoute(String conf, String path) {
        java.util.regex.Matcher location = java.util.regex.Pattern
                .compile("location\\s+(=|~)?\\s*(\\S+)\\s*\\{([^}]*)}").matcher(conf);
        String regexMatch = null;
        while (location.find()) {
            java.util.regex.Matcher pass = java.util.regex.Pattern.compile("proxy_pass\\s+([^;]+);").matcher(location.group(3));
            String target = pass.find() ? pass.group(1).trim() : null;
            if ("=".equals(location.group(1)) && location.group(2).equals(path)) {
                return target;
            }
            if ("~".equals(location.group(1)) && regexMatch == null
                    && java.util.regex.Pattern.compile(location.group(2)).matcher(path).find()) {
                regexMatch = target == null ? "" : target;
            }
        }
        return regexMatch == null || regexMatch.isEmpty() ? null : regexMatch;
    }

    @Test
    void jaegerCollectsEveryServicesTracesAndPublishesOnlyItsUiOnLoopback() {
        checkTracing(services);
    }

    /** The tracing checks must be able to fail: each broken copy of the services is refused. */
    @Test
    void brokenTracingSettingsAreRefused() {
        Map<String, Consumer<ObjectNode>> breakers = new LinkedHashMap<>();
        breakers.put("no trace backend", s -> s.remove(JAEGER));
        breakers.put("moving Jaeger tag", s -> jaeger(s).put("image", "jaegertracing/jaeger:latest"));
        breakers.put("Jaeger v1 all-in-one", s -> jaeger(s).put("image", "jaegertracing/all-in-one:1.62.0"));
        breakers.put("UI on every interface", s -> jaeger(s).set("ports", strings("16686:16686")));
        breakers.put("OTLP published", s -> jaeger(s).set("ports", strings(JAEGER_UI, "127.0.0.1:4318:4318")));
        breakers.put("UI not published", s -> jaeger(s).remove("ports"));
        breakers.put("no healthcheck", s -> jaeger(s).remove("healthcheck"));
        breakers.put("service without endpoint", s -> env(s, "approval-service").remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
        breakers.put("service exporting to itself", s -> env(s, "publisher-view").put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318"));
        breakers.put("service on the gRPC port", s -> env(s, "regrequest-service").put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4317"));
        breakers.put("endpoint with the traces path", s -> env(s, "regrequest-service")
                .put("OTEL_EXPORTER_OTLP_ENDPOINT", OTLP_ENDPOINT + "/v1/traces"));
        breakers.put("service sampling locally", s -> env(s, "approval-service").put("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"));
        breakers.put("service without sampler", s -> env(s, "publisher-view").remove("OTEL_TRACES_SAMPLER"));
        breakers.put("connect without endpoint", s -> env(s, "connect").remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
        breakers.put("connect without OpenTelemetry", s -> env(s, "connect").put("ENABLE_OTEL", "false"));
        breakers.put("connect without the agent (no SDK)", s -> env(s, "connect").remove("KAFKA_OPTS"));
        breakers.put("connect's Kafka instrumentation on", s -> env(s, "connect").remove("OTEL_INSTRUMENTATION_KAFKA_ENABLED"));
        breakers.put("connect over gRPC", s -> env(s, "connect").put("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"));
        breakers.put("connect with baggage", s -> env(s, "connect").put("OTEL_PROPAGATORS", "tracecontext,baggage"));
        breakers.put("connect without OTLP exporter", s -> env(s, "connect").put("OTEL_TRACES_EXPORTER", "none"));
        breakers.forEach((what, breaker) -> {
            ObjectNode broken = services.deepCopy();
            breaker.accept(broken);
            assertThat(broken).as(what + " changes the file").isNotEqualTo(services);
            assertThatThrownBy(() -> checkTracing(broken)).as(what).isInstanceOf(AssertionError.class);
        });
        checkTracing(services.deepCopy());
    }

    /**
     * Tracing in Compose: a pinned Jaeger v2 (all-in-one) with a healthcheck, whose only published port is its UI on the
     * loopback interface; every service and Kafka Connect export OTLP/HTTP to it (base URL, the exporters append
     * /v1/traces), the services trace every request (parentbased_always_on), and Connect has the image's OpenTelemetry
     * libraries (ENABLE_OTEL) with the Kafka instrumentation off (its producer span would start a new trace), W3C
     * propagation only.
     */
    static void checkTracing(JsonNode services) {
        JsonNode jaeger = services.path(JAEGER);
        assertThat(jaeger.isObject()).as("a %s service", JAEGER).isTrue();
        assertThat(jaeger.path("image").asText()).as("jaeger image: Jaeger v2, pinned").matches("jaegertracing/jaeger:2\\.\\d+\\.\\d+");
        assertThat(MariaDbChecks.strings(jaeger.path("ports"))).as("jaeger publishes only its UI, on loopback")
                .containsExactly(JAEGER_UI);
        assertThat(jaeger.at("/healthcheck/test").isArray()).as("jaeger healthcheck").isTrue();

        List<String> exporters = new ArrayList<>(APPS);
        exporters.add("connect");
        for (String service : exporters) {
            String endpoint = services.at("/" + service + "/environment/OTEL_EXPORTER_OTLP_ENDPOINT").asText();
            assertThat(endpoint).as(service + " OTEL_EXPORTER_OTLP_ENDPOINT (Jaeger's OTLP/HTTP receiver)").isEqualTo(OTLP_ENDPOINT);
        }
        for (String app : APPS) {
            assertThat(services.at("/" + app + "/environment/OTEL_TRACES_SAMPLER").asText()).as(app + " OTEL_TRACES_SAMPLER")
                    .isEqualTo("parentbased_always_on");
        }
        JsonNode connect = services.at("/connect/environment");
        Map.of("ENABLE_OTEL", "true", "OTEL_INSTRUMENTATION_KAFKA_ENABLED", "false", "OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_PROPAGATORS", "tracecontext").forEach((name, value) ->
                assertThat(connect.path(name).asText()).as("connect " + name).isEqualTo(value));
        assertThat(connect.path("OTEL_SERVICE_NAME").asText()).as("connect OTEL_SERVICE_NAME").isNotBlank();
        assertThat(connect.path("KAFKA_OPTS").asText()).as("connect runs the OpenTelemetry Java agent (its SDK)")
                .matches("-javaagent:/kafka/otel/opentelemetry-javaagent-\\d+\\.\\d+\\.\\d+\\.jar");
    }

    private static ObjectNode jaeger(ObjectNode services) {
        return (ObjectNode) services.path(JAEGER);
    }

    /** The agent KAFKA_OPTS names is the one the Dockerfile downloads (checked against its MD5). */
    @Test
    void connectsImageHasTheOpenTelemetryAgentItsWorkerRuns() {
        String dockerfile = Repo.read(composeDir.resolve(CONNECT_DOCKERFILE));
        String version = services.at("/connect/environment/KAFKA_OPTS").asText().replaceAll(".*opentelemetry-javaagent-(.*)\\.jar", "$1");
        assertThat(dockerfile).contains("OTEL_AGENT_VERSION=" + version, "OTEL_AGENT_MD5=",
                "docker-maven-download central io/opentelemetry/javaagent opentelemetry-javaagent");
    }

    @Test
    void connectHasBothConnectorPluginsInTheirOwnDirectories() {
        checkConnectImage(Repo.read(composeDir.resolve(CONNECT_DOCKERFILE)));
        assertThat(services.at("/connect/healthcheck/test/1").asText()).as("connect is healthy once both plugins load")
                .contains("PostgresConnector", "MariaDbConnector");
        // The version the local stack runs (its plugin module), and the one Kubernetes builds.
        assertThat(dockerfileEnv(Repo.read(composeDir.resolve(CONNECT_DOCKERFILE)), "MARIADB_CONNECTOR_VERSION"))
                .isEqualTo(MariaDbChecks.pluginVersion(root.resolve("infra/debezium-plugin-mariadb/pom.xml")));
        assertThat(baseImage(Repo.read(composeDir.resolve(CONNECT_DOCKERFILE))))
                .as("the image's own Postgres connector is the stack's version")
                .endsWith(":" + MariaDbChecks.pluginVersion(root.resolve("infra/debezium-plugin/pom.xml")));
    }

    @Test
    void brokenConnectImagesAreRefused() {
        String dockerfile = Repo.read(composeDir.resolve(CONNECT_DOCKERFILE));
        Map<String, String> broken = Map.of(
                "other MariaDB connector", dockerfile.replace("MARIADB_CONNECTOR_VERSION=3.5.0.Final", "MARIADB_CONNECTOR_VERSION=3.7.0.Final"),
                "bundled MariaDB connector kept", dockerfile.replace("rm -rf \"$KAFKA_CONNECT_PLUGINS_DIR/debezium-connector-mariadb\"", "true"),
                "no download", dockerfile.replace("docker-maven-download debezium mariadb", "echo debezium mariadb"),
                "no checksum", dockerfile.replaceAll("MARIADB_CONNECTOR_MD5=[0-9a-f]+", "MARIADB_CONNECTOR_MD5="),
                "latest base image", dockerfile.replace("FROM quay.io/debezium/connect:3.7.0.Final", "FROM quay.io/debezium/connect:latest"));
        broken.forEach((what, text) -> {
            assertThat(text).as(what + " changes the Dockerfile").isNotEqualTo(dockerfile);
            assertThatThrownBy(() -> checkConnectImage(text)).as(what).isInstanceOf(AssertionError.class);
        });
    }

    /**
     * compose/connect/Dockerfile: Debezium's pinned connect image, whose bundled MariaDB connector is replaced by
     * debezium-connector-mariadb 3.5.0.Final (checksum-verified) in its own plugin directory.
     */
    static void checkConnectImage(String dockerfile) {
        assertThat(baseImage(dockerfile)).matches("quay\\.io/debezium/connect:3\\.\\d+\\.\\d+\\.Final");
        assertThat(dockerfileEnv(dockerfile, "MARIADB_CONNECTOR_VERSION")).isEqualTo("3.5.0.Final");
        assertThat(dockerfileEnv(dockerfile, "MARIADB_CONNECTOR_MD5")).as("MD5 of the plugin archive").matches("[0-9a-f]{32}");
        String run = dockerfile.substring(dockerfile.indexOf("\nRUN "));
        assertThat(run).as("only one MariaDbConnector on the plugin path: the bundled one goes")
                .contains("rm -rf \"$KAFKA_CONNECT_PLUGINS_DIR/debezium-connector-mariadb\"");
        assertThat(run).contains("docker-maven-download debezium mariadb \"$MARIADB_CONNECTOR_VERSION\" \"$MARIADB_CONNECTOR_MD5\"");
        assertThat(run.indexOf("rm -rf")).as("removed before the download").isLessThan(run.indexOf("docker-maven-download"));
    }

    static String baseImage(String dockerfile) {
        return dockerfile.lines().filter(l -> l.startsWith("FROM ")).findFirst().orElseThrow().substring(5).trim();
    }

    static String dockerfileEnv(String dockerfile, String name) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(name) + "=(\\S*)").matcher(dockerfile);
        assertThat(m.find()).as("Dockerfile sets %s", name).isTrue();
        return m.group(1);
    }

    private String sqlFiles(String dir) {
        StringBuilder sql = new StringBuilder();
        try (var files = Files.list(composeDir.resolve(dir))) {
            List<Path> list = files.filter(f -> f.toString().endsWith(".sql")).sorted().toList();
            assertThat(list).as("init SQL in %s", dir).isNotEmpty();
            list.forEach(f -> sql.append(Repo.read(f)).append('\n'));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return sql.toString();
    }

    private static void removeArg(ObjectNode service, String prefix) {
        ArrayNode args = (ArrayNode) service.path("command");
        int before = args.size();
        for (int i = args.size() - 1; i >= 0; i--) {
            if (args.get(i).asText().startsWith(prefix)) {
                args.remove(i);
            }
        }
        assertThat(args.size()).as("removed " + prefix).isLessThan(before);
    }

    private static void replaceArg(ObjectNode service, String prefix, String replacement) {
        removeArg(service, prefix);
        ((ArrayNode) service.path("command")).add(replacement);
    }

    @Test
    void connectorsAreRegisteredFromTheContractFilesAfterTheProducersCreatedTheirOutboxTables() {
        JsonNode register = services.path("register-connectors");
        assertThat(register.path("restart").asText()).isEqualTo("no");
        List<String> mounts = new ArrayList<>();
        register.path("volumes").forEach(v -> mounts.add(v.asText()));
        assertThat(mounts).contains("./contracts/connectors:/connectors:ro");
        assertThat(register.path("entrypoint").toString()).contains("/register-connectors.sh");
        JsonNode env = register.path("environment");
        String script = Repo.read(composeDir.resolve("compose/register-connectors.sh"));

        JsonNode dependsOn = register.path("depends_on");
        assertThat(dependsOn.at("/connect/condition").asText()).isEqualTo("service_healthy");
        for (Path file : ConnectorManifests.connectorFiles(root)) {
            JsonNode config = Repo.json(file).path("config");
            String connectorClass = config.path("connector.class").asText();
            String engine = switch (connectorClass) {
                case ConnectorManifests.POSTGRES_CONNECTOR -> "postgresql";
                case ConnectorManifests.MARIADB_CONNECTOR -> "mariadb";
                default -> throw new AssertionError(file.getFileName() + ": no Compose database for " + connectorClass);
            };
            // The script picks this class's coordinates (POSTGRES_* or MARIADB_*), which point at the database service.
            String prefix = engine.equals("postgresql") ? "POSTGRES" : "MARIADB";
            assertThat(script).as("the script handles %s", connectorClass).contains(connectorClass + ")");
            assertThat(env.path(prefix + "_HOST").asText()).isEqualTo(ENGINE_SERVICES.get(engine));
            assertThat(env.path(prefix + "_PORT").asText()).isEqualTo(ENGINE_PORTS.get(engine).toString());

            // Each connector reads the outbox of the service owning its database: that service must be healthy
            // (migrated) first, or the filtered publication finds no table.
            String database = engine.equals("postgresql") ? config.path("database.dbname").asText()
                    : config.path("database.include.list").asText();
            assertThat(database).as(file.getFileName() + " database").matches("[a-z][a-z0-9_]*");
            String owner = APPS.stream().filter(app -> services.at("/" + app + "/environment/DB_URL").asText()
                    .matches("jdbc:" + engine + "://" + ENGINE_SERVICES.get(engine) + "(:\\d+)?/" + database))
                    .findFirst().orElseThrow(() -> new AssertionError("no service uses " + engine + " database " + database));
            assertThat(dependsOn.at("/" + owner + "/condition").asText()).as(file.getFileName().toString())
                    .isEqualTo("service_healthy");

            // Every key Kubernetes replaces for this class is replaced for Compose too, by a sed expression per key:
            // s|\"<key>\": *\"[^\"]*\"|...| (quotes escaped inside the shell string).
            for (String key : ConnectorManifests.coordinates(connectorClass).keySet()) {
                assertThat(config.has(key)).as("%s has %s", file.getFileName(), key).isTrue();
                assertThat(script).as("the script replaces %s", key).contains("\"s|\\\"" + key + "\\\": *\\\"[^\\\"]*\\\"|");
            }
        }

        assertThat(env.path("CONNECT_URL").asText()).isEqualTo("http://connect:8083");
        assertThat(env.path("POSTGRES_USER").asText()).isEqualTo(services.at("/postgres/environment/POSTGRES_USER").asText());
        assertThat(env.path("POSTGRES_PASSWORD").asText()).isEqualTo(services.at("/postgres/environment/POSTGRES_PASSWORD").asText());
        assertThat(services.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText())
                .as("the schema history's bootstrap server is advertised by kafka")
                .contains("//" + env.path("KAFKA_BOOTSTRAP_SERVERS").asText());
        for (String variable : List.of("CONNECT_URL", "KAFKA_BOOTSTRAP_SERVERS", "POSTGRES_HOST", "POSTGRES_PORT",
                "POSTGRES_USER", "POSTGRES_PASSWORD", "MARIADB_HOST", "MARIADB_PORT", "MARIADB_USER", "MARIADB_PASSWORD")) {
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
                if (APPS.contains(s.getKey())) {
                    assertThat(context.resolve("pom.xml")).as(s.getKey() + " build context is a Maven module").exists();
                    assertThat(build.path("dockerfile").asText()).isEqualTo("src/main/docker/Dockerfile.jvm");
                } else {
                    assertThat(context.resolve(build.path("dockerfile").asText("Dockerfile")))
                            .as(s.getKey() + " Dockerfile").isRegularFile();
                }
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
