package io.bookmarket.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A component that runs as a separate JVM: classpath from build-time resolved Maven artifacts, log in a file. */
final class ChildJvm implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ChildJvm.class.getName());

    final String component;
    final Path logFile;
    private final Process process;

    private ChildJvm(String component, Path logFile, Process process) {
        this.component = component;
        this.logFile = logFile;
        this.process = process;
    }

    /** Runs {@code mainClass} in a new JVM (the same java that runs us) and returns at once. */
    static ChildJvm start(String component, String classpathResource, List<String> jvmOptions, String mainClass,
            List<String> args, Path logFile) {
        return start(component, classpath(classpathResource), java.util.Map.of(), jvmOptions, mainClass, args, logFile);
    }

    static ChildJvm start(String component, String classpath, java.util.Map<String, String> env, List<String> jvmOptions,
            String mainClass, List<String> args, Path logFile) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable(component, logFile));
        command.addAll(jvmOptions);
        command.add("-cp");
        // The component's classpath first: a JDK AOT cache only maps when the training run's classpath is a prefix.
        command.add(classpath + java.io.File.pathSeparator + ownLocation());
        command.add(ParentWatch.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass);
        command.addAll(args);
        try {
            Files.createDirectories(logFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            Process process = builder
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            return new ChildJvm(component, logFile, process);
        } catch (IOException e) {
            throw new StackStartException(component, "could not be launched: " + e.getMessage(), logFile, e);
        }
    }

    /** Runs {@code mainClass} to completion (e.g. a storage format tool); fails with the log file named. */
    static void run(String component, String classpathResource, String mainClass, List<String> args, Path logFile,
            Duration timeout) {
        ChildJvm tool = start(component, classpathResource, List.of("-Xmx256m"), mainClass, args, logFile);
        try {
            if (!tool.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                tool.close();
                throw new StackStartException(component, "did not finish within " + timeout.toSeconds() + " s", logFile);
            }
            if (tool.process.exitValue() != 0) {
                throw new StackStartException(component, "failed with exit code " + tool.process.exitValue(), logFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tool.close();
            throw new StackStartException(component, "was interrupted", logFile, e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Fails with a clear message when the JVM died while we waited for it to become ready. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new StackStartException(component, "exited with code " + process.exitValue() + " while starting",
                    logFile);
        }
    }

    /** Orderly stop (SIGTERM, then SIGKILL after 20 s). */
    @Override
    public void close() {
        close(Duration.ofSeconds(20));
    }

    /** Orderly stop (SIGTERM, then SIGKILL after {@code grace}). */
    void close(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, component + " did not stop within " + grace.toSeconds() + " s; killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Sends a signal (e.g. STOP, CONT) to the JVM. */
    void signal(String signal) {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " (" + component + ") failed with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** Simulates a crash: SIGKILL, no clean shutdown. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<Path> classpathEntries(String classpathResource) {
        return java.util.Arrays.stream(classpath(classpathResource).split(java.io.File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    private static String classpath(String resource) {
        try (InputStream in = ChildJvm.class.getResourceAsStream("/META-INF/bookmarket/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("Classpath file META-INF/bookmarket/" + resource
                        + " is missing: build the infra modules first (./mvnw install -DskipTests)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stack library's jar (or classes directory), which holds {@link ParentWatch}. */
    static Path ownLocation() {
        try {
            return Path.of(ParentWatch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String javaExecutable(String component, Path logFile) {
        String java = System.getProperty("bookmarket.stack.java",
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (!Files.isExecutable(Path.of(java))) {
            throw new StackStartException(component, "cannot start: no Java executable at " + java, logFile);
        }
        return java;
    }
}
