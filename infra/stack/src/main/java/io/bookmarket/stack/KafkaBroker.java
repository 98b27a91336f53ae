package io.bookmarket.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A single-node Apache Kafka 4.3.1 broker in KRaft mode (broker + controller), as a separate JVM. */
public final class KafkaBroker implements AutoCloseable {

    public static final String COMPONENT = "Kafka broker";
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
                    "num.partitions=1",
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
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        }
    }

    /** Whether the topic exists and holds at least one record (false while it does not exist yet). */
    public boolean hasRecords(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
            return admin.listOffsets(Map.of(new org.apache.kafka.common.TopicPartition(topic, 0),
                            org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .all().get(3, TimeUnit.SECONDS).values().stream().anyMatch(o -> o.offset() > 0);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false; // not created yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
