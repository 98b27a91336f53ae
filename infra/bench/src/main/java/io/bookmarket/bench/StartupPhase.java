package io.bookmarket.bench;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.stack.QuarkusApp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.bookmarket.bench.Bench.progress;

/** Start-up time and RSS of each service: restarted on the running system, and its native executable when built. */
final class StartupPhase {

    private static final Pattern QUARKUS_STARTED = Pattern.compile("started in ([0-9.]+)s");

    private final BenchOptions options;
    private final SystemUnderTest sut;

    StartupPhase(BenchOptions options, SystemUnderTest sut) {
        this.options = options;
        this.sut = sut;
    }

    Map<String, Object> run() throws Exception {
        LocalSystem system = sut.system();
        Map<String, Object> all = new LinkedHashMap<>();
        for (String service : SystemUnderTest.SERVICES) {
            Map<String, Object> m = new LinkedHashMap<>();
            QuarkusApp first = system.service(service);
            m.put("firstStartReadyMs", first.startupToReady().toMillis());
            m.put("firstStartRssMb", Machine.rssMb(first.pid()));
            List<Long> ready = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            List<Double> quarkus = new ArrayList<>();
            for (int i = 0; i < options.restarts; i++) {
                system.stopService(service);
                QuarkusApp app = system.startService(service);
                rss.add(Machine.rssMb(app.pid()));
                ready.add(app.startupToReady().toMillis());
                quarkusStartedIn(app.logFile()).ifPresent(quarkus::add);
            }
            m.put("packaging", system.service(service).packaging());
            m.put("restartsReadyMs", ready);
            m.put("restartsRssMb", rss);
            m.put("restartsQuarkusStartedInS", quarkus);
            if (!ready.isEmpty()) {
                m.put("jvmReadyMsMedian", median(ready.stream().map(Long::doubleValue).toList()));
                m.put("jvmRssMbMedian", median(rss));
            } else {
                m.put("jvmReadyMsMedian", (double) first.startupToReady().toMillis());
                m.put("jvmRssMbMedian", Machine.rssMb(first.pid()));
            }
            m.put("native", nativeStartup(service));
            progress("%s (%s): JVM ready in %s ms (median of %d restarts; first start %d ms), RSS %s MB; native: %s", service,
                    m.get("packaging"), m.get("jvmReadyMsMedian"), ready.size(), first.startupToReady().toMillis(), m.get("jvmRssMbMedian"),
                    m.get("native") instanceof String s ? s : "measured");
            all.put(service, m);
        }
        return all;
    }

    /** A native executable ({@code <svc>/target/*-runner}), when one was built, started like the JVM service. */
    private Object nativeStartup(String service) throws Exception {
        LocalSystem system = sut.system();
        Path target = options.repo.resolve(service).resolve("target");
        Path runner;
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner") && Files.isExecutable(p)
                    && Files.isRegularFile(p)).findFirst().orElse(null);
        }
        if (runner == null) {
            return "not built here";
        }
        int port = URI.create(system.url(service)).getPort();
        system.stopService(service);
        Map<String, Object> m = new LinkedHashMap<>();
        Path log = options.dataDir.resolve("logs/" + service + "-native.log");
        ProcessBuilder builder = new ProcessBuilder(runner.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(system.environment(service));
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        long begin = System.nanoTime();
        Process process = builder.start();
        try {
            HttpRequest health = HttpRequest.newBuilder(URI.create(system.url(service) + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build();
            long deadline = begin + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    if (sut.http().send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        m.put("readyMs", round((System.nanoTime() - begin) / 1e6));
                        m.put("rssMb", Machine.rssMb(process.pid()));
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(5);
            }
            m.putIfAbsent("error", "not ready within 60 s (log " + log + ")");
            m.put("executable", runner.toString());
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            system.startService(service);
        }
        return m;
    }

    private static Optional<Double> quarkusStartedIn(Path log) throws IOException {
        Double last = null;
        for (String line : Files.readAllLines(log)) {
            Matcher m = QUARKUS_STARTED.matcher(line);
            if (m.find()) {
                last = Double.parseDouble(m.group(1));
            }
        }
        return Optional.ofNullable(last);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : round((sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
