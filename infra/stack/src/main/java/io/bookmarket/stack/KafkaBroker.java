package io.bookmarket.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A single-node Apache Kafka 4.3.1 broker in KRaft mode (broker + controller), as a separate JVM. */
public final class KafkaBroker implements Engine {

    public static final String COMPONENT = "Kafka broker";
    /** Partitions of a topic created on first use. */
    public static final int PARTITIONS = 3;
    private static final String CLASSPATH = "kafka-runtime.classpath";

    private final ChildJvm jvm;
    private final int port;

    private KafkaBroker(ChildJvm jvm, int port) {
        this.jvm = jvm;
        this.port = port;
    }

    static KafkaBroker start(Path workDir, int wantedPort, Duration timeout) {
        Path logFile = workDir.resolve("logs/kafka.log");
        int port = Ports.claim(wantedPort, COMPONENT, logFile);
        Path dataDir = workDir.resolve("kafka/data");
        int controllerPort = controllerPort(workDir.resolve("kafka/controller.port"), logFile);
        Path config = workDir.resolve("kafka/server.properties");
        Path log4j = workDir.resolve("kafka/log4j2.properties");
        try {
            Files.createDirectories(dataDir);
            Files.writeString(config, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.bootstrap.servers=" + Ports.HOST + ":" + controllerPort,
                    "listeners=PLAINTEXT://" + Ports.HOST + ":" + port + ",CONTROLLER://" + Ports.HOST + ":" + controllerPort,
                    "advertised.listeners=PLAINTEXT://" + Ports.HOST + ":" + port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + dataDir.toAbsolutePath(),
                    // As in the cluster (infra/k8s/30-kafka.yaml): the replicas of a consumer group share the partitions.
                    // The outbox key is the aggregate id, so one request's events stay in order in one partition.
                    "num.partitions=" + PARTITIONS,
                    "auto.create.topics.enable=true",
                    // The event topics are the system's history: publisher-view rebuilds from offset zero.
                    "log.retention.ms=-1",
                    // Single node: every internal topic has one replica.
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    // After a crash the restarted controller refuses the broker's new registration until the old
                    // session expires (default 9 s); 4 s halves the restart and still tolerates a busy machine.
                    "broker.session.timeout.ms=4000",
                    "broker.heartbeat.interval.ms=1000",
                    ""));
            Files.writeString(log4j, log4jConfig());
        } catch (IOException e) {
            throw new StackStartException(COMPONENT, "could not write its configuration: " + e.getMessage(), logFile, e);
        }
        if (!Files.exists(dataDir.resolve("meta.properties"))) {
            ChildJvm.run(COMPONENT + " storage format", CLASSPATH, "kafka.tools.StorageTool",
                    List.of("format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", config.toString()),
                    workDir.resolve("logs/kafka-format.log"), Duration.ofSeconds(60));
        }
        ChildJvm jvm = ChildJvm.start(COMPONENT, CLASSPATH,
                List.of("-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath()),
                "kafka.Kafka", List.of(config.toString()), logFile);
        KafkaBroker broker = new KafkaBroker(jvm, port);
        try {
            Readiness.await(jvm, timeout, broker::answers);
        } catch (RuntimeException e) {
            jvm.close();
            throw e;
        }
        return broker;
    }

    /** The KRaft voter set is stored with its endpoint, so the controller keeps its port across restarts. */
    private static int controllerPort(Path portFile, Path logFile) {
        try {
            if (Files.exists(portFile)) {
                return Ports.claim(Integer.parseInt(Files.readString(portFile).trim()), COMPONENT + " controller", logFile);
            }
            int port = Ports.claim(0, COMPONENT + " controller", logFile);
            Files.createDirectories(portFile.getParent());
            Files.writeString(portFile, Integer.toString(port));
            return port;
        } catch (IOException e) {
            throw new StackStartException(COMPONENT, "could not read or write " + portFile, logFile, e);
        }
    }

    private boolean answers() throws Exception {
        if (!Ports.isOpen(port)) {
            return false; // no admin client (and its log noise) before the listener is up
        }
        try (Admin admin = admin()) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        }
    }

    /** Whether the topic exists and holds at least one record, in any partition (false while it does not exist yet). */
    public boolean hasRecords(String topic) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int partition = 0; partition < partitions(admin, topic); partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(3, TimeUnit.SECONDS).values().stream().anyMatch(o -> o.offset() > 0);
        } catch (ExecutionException | TimeoutException e) {
            return false; // not created yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How many partitions the topic has (fails while it does not exist). */
    public int partitions(String topic) {
        try (Admin admin = admin()) {
            return partitions(admin, topic);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot describe topic " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing topic " + topic, e);
        }
    }

    /**
     * Creates the topic with this many partitions unless it exists. For topics that must not get the broker's default,
     * e.g. a Debezium schema history, which must have exactly one partition.
     */
    void createTopicIfAbsent(String topic, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + topic + ": " + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + topic + ": no answer within 10 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + topic, e);
        }
    }

    private static int partitions(Admin admin, String topic) throws ExecutionException, TimeoutException, InterruptedException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(3, TimeUnit.SECONDS).get(topic).partitions().size();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000));
    }

    public String bootstrapServers() {
        return Ports.HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return jvm.logFile;
    }

    public long pid() {
        return jvm.pid();
    }

    /** Simulates a crash (SIGKILL). */
    public void kill() {
        jvm.kill();
    }

    @Override
    public void close() {
        jvm.close();
    }

    /** log4j2 configuration for the child JVMs: INFO to standard output, which goes to the component's log file. */
    static String log4jConfig() {
        return String.join("\n",
                "appender.out.type=Console",
                "appender.out.name=out",
                "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=%d{ISO8601} %-5p [%t] %c{1} - %m%n",
                "rootLogger.level=INFO",
                "rootLogger.appenderRef.out.ref=out",
                "");
    }
}
