package io.bookmarket.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A packaged Quarkus service ({@code target/quarkus-app/quarkus-run.jar}) run as a separate JVM, configured by
 * environment variables, logging to a file, ready when {@code /q/health/ready} answers 200.
 */
public final class QuarkusApp implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(QuarkusApp.class.getName());

    private final String name;
    private final Path runJar;
    private final int port;
    private final Map<String, String> env;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private ChildJvm jvm;
    private long launchedNanos;
    private long readyNanos;
    private String packaging;
    private boolean trainsAotCache = true;

    public QuarkusApp(String name, Path runJar, int port, Map<String, String> env, Path logFile) {
        this.name = name;
        this.runJar = runJar;
        this.port = port;
        this.env = Map.copyOf(env);
        this.logFile = logFile;
    }

    /**
     * false: never train the JDK AOT cache, only use it when it is there. For the further replicas of a service, which
     * share its jar: two JVMs writing the same cache as they exit would spoil it, so replica 1 alone trains it.
     */
    public QuarkusApp trainsAotCache(boolean trains) {
        this.trainsAotCache = trains;
        return this;
    }

    /** Starts the service and waits until it is ready; a failure names the service and its log file. */
    public QuarkusApp start(Duration timeout) {
        if (!Files.isRegularFile(runJar)) {
            throw new StackStartException(name, "is not built: " + runJar + " is missing (run ./mvnw install -DskipTests)", logFile);
        }
        Ports.claim(port, name, logFile);
        Map<String, String> environment = new java.util.HashMap<>(env);
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        launchedNanos = System.nanoTime();
        List<String> jvmOptions = new java.util.ArrayList<>(
                // --add-opens: what quarkus-run.jar's manifest grants under java -jar (jboss-threads on Java 24+)
                List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "--add-opens=java.base/java.lang=ALL-UNNAMED"));
        String mainClass = mainClass();
        packaging = mainClass.contains("Aot") ? aotCache(jvmOptions) : "fast-jar"; // per start: a rebuild may change it
        jvm = ChildJvm.start(name, runJar.toAbsolutePath().toString(), environment, jvmOptions, mainClass,
                List.of(), logFile);
        try {
            // A fine poll interval: the start-up time (launch -> first ready answer) is a measured figure.
            Readiness.await(jvm, timeout, this::ready, Duration.ofMillis(10));
            readyNanos = System.nanoTime();
        } catch (RuntimeException e) {
            jvm.close();
            throw e;
        }
        return this;
    }

    /**
     * The JDK AOT cache of an aot-jar (built with -Paot), target/quarkus-app/app.aot: used when present, written by
     * this run when missing (the JVM writes it when it exits in order). Adds the JVM options; returns how it starts.
     */
    private String aotCache(List<String> jvmOptions) {
        if (Runtime.version().feature() < 25) {
            // -XX:AOTCache/-XX:AOTCacheOutput are JDK 25 options: an older JDK runs the aot-jar as a plain jar.
            LOG.log(System.Logger.Level.INFO, name + ": Java " + Runtime.version().feature()
                    + " has no JDK AOT cache (Java 25+); starting without one");
            return "aot-jar without AOT cache (needs Java 25)";
        }
        Path aotCache = runJar.resolveSibling("app.aot");
        List<Path> classpath = List.of(runJar, ChildJvm.ownLocation());
        if (!trainsAotCache) {
            if (Files.isRegularFile(aotCache) && !isStale(aotCache, classpath)) {
                jvmOptions.add("-XX:AOTCache=" + aotCache.toAbsolutePath());
                return "aot-jar with AOT cache";
            }
            return "aot-jar without AOT cache (another replica trains it)";
        }
        if (isStale(aotCache, classpath)) {
            // Trained with other jars: the JVM would refuse it (shared class paths mismatch) and start slowly. Train anew.
            LOG.log(System.Logger.Level.INFO, name + ": its JDK AOT cache was trained with other jars; this run trains a new one");
            try {
                Files.delete(aotCache);
            } catch (IOException e) {
                throw new StackStartException(name, "cannot delete its stale AOT cache " + aotCache + ": " + e.getMessage(), logFile, e);
            }
        }
        if (Files.isRegularFile(aotCache)) {
            // Classes come loaded and linked, with the training run's method profiles, from the cache.
            jvmOptions.add("-XX:AOTCache=" + aotCache.toAbsolutePath());
            return "aot-jar with AOT cache";
        }
        LOG.log(System.Logger.Level.INFO, name + ": no JDK AOT cache yet; this run trains one (written when it stops)");
        try {
            Files.writeString(classpathRecord(aotCache), classpathStamp(classpath));
        } catch (IOException e) {
            throw new StackStartException(name, "cannot write " + classpathRecord(aotCache) + ": " + e.getMessage(), logFile, e);
        }
        jvmOptions.add("-XX:AOTCacheOutput=" + aotCache.toAbsolutePath());
        return "aot-jar, training its AOT cache";
    }

    /**
     * True when {@code aotCache} exists but was trained with another classpath than {@code classpath}: the JVM refuses
     * a cache when a jar it was trained with moved, or changed in size or time ("shared class paths mismatch"), and
     * then starts without it. The service's jar changes with each build; the stack library's, which ends every child
     * JVM's classpath, with each build of the library, and its path differs between a reactor build and the local
     * Maven repository. The training run records its classpath beside the cache ({@code app.aot.classpath}).
     */
    static boolean isStale(Path aotCache, List<Path> classpath) {
        if (!Files.isRegularFile(aotCache)) {
            return false;
        }
        try {
            Path record = classpathRecord(aotCache);
            return !Files.isRegularFile(record) || !Files.readString(record).equals(classpathStamp(classpath));
        } catch (IOException e) {
            return true;
        }
    }

    /** Each classpath entry as the JVM checks it: its path, and for a jar its size and time. */
    static String classpathStamp(List<Path> classpath) throws IOException {
        StringBuilder stamp = new StringBuilder();
        for (Path entry : classpath) {
            Path path = entry.toAbsolutePath();
            stamp.append(path);
            if (Files.isRegularFile(path)) {
                stamp.append(' ').append(Files.size(path)).append(' ').append(Files.getLastModifiedTime(path).toMillis());
            }
            stamp.append('\n');
        }
        return stamp.toString();
    }

    static Path classpathRecord(Path aotCache) {
        return aotCache.resolveSibling(aotCache.getFileName() + ".classpath");
    }

    /** As {@code java -jar} would: the fast-jar and the AOT jar have different entry points. */
    private String mainClass() {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(runJar.toFile())) {
            return jar.getManifest().getMainAttributes().getValue(java.util.jar.Attributes.Name.MAIN_CLASS);
        } catch (IOException e) {
            throw new StackStartException(name, "cannot read the manifest of " + runJar + ": " + e.getMessage(), logFile, e);
        }
    }

    private boolean ready() throws IOException, InterruptedException {
        return Ports.isOpen(port) && http.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    /** How this run was started: fast-jar, aot-jar training its cache, or aot-jar with its cache. */
    public String packaging() {
        return packaging;
    }

    public String name() {
        return name;
    }

    public String url() {
        return "http://" + Ports.HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isRunning() {
        return jvm != null && jvm.isAlive();
    }

    /** From launching the process to the first 200 of {@code /q/health/ready} (benchmarks report it). */
    public Duration startupToReady() {
        if (readyNanos == 0) {
            throw new IllegalStateException(name + " has not become ready");
        }
        return Duration.ofNanos(readyNanos - launchedNanos);
    }

    public long pid() {
        return jvm.pid();
    }

    /** Simulates a crash (SIGKILL). */
    public void kill() {
        if (jvm != null) {
            jvm.kill();
        }
    }

    /**
     * Graceful stop (SIGTERM: readiness turns DOWN for the shutdown delay while requests are still served, then Quarkus
     * finishes the requests in flight), SIGKILL after 40 s: as Kubernetes' terminationGracePeriodSeconds, which the
     * services' delay and timeout (5 s + 20 s at most) fit in, with room for the AOT cache a training run writes.
     */
    @Override
    public void close() {
        if (jvm != null) {
            jvm.close(Duration.ofSeconds(40));
        }
    }
}
