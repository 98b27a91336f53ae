package io.bookmarket.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * CPU time (user + system, /proc/<pid>/stat) used by each component during a run. On a shared 2-core machine
 * this says where the cores went, independently of what other processes did to the wall-clock figures.
 *
 * <p>Keycloak is measured like every component but kept out of {@code total}: the load's tokens are fetched outside
 * the measured windows ({@link BenchTokens}), so what it burns during a run is its own background work, not a cost of
 * the requests; {@code totalWithKeycloak} has it in, and its own entry shows it apart.
 * <p>The local trace backend (Zipkin and its OTLP receiver) is kept out of both totals: in production that is an
 * OpenTelemetry Collector and a trace store elsewhere. What tracing costs the system (making and sending spans) is in
 * the services' own figures; {@code trace-backend} shows the rest apart.
 */
final class CpuAccounting {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
    static final String KEYCLOAK = "keycloak";
    static final String TRACE_BACKEND = "trace-backend";

    private final Supplier<Map<String, Long>> services;
    private final int postgresPort;
    /** Cores (1.0 = one core) each component burns without traffic; empty until {@link #measureIdle} ran. */
    private volatile Map<String, Double> idleCores = Map.of();

    /**
     * CPU seconds per component at one moment, the services' JIT compiler threads' and garbage collector's shares of
     * them, and that moment (System.nanoTime).
     */
    record Mark(Map<String, Double> seconds, Map<String, Double> jitSeconds, Map<String, Double> gcSeconds, long nanos) {
    }

    CpuAccounting(Supplier<Map<String, Long>> services, int postgresPort) {
        this.services = services;
        this.postgresPort = postgresPort;
    }

    /** CPU seconds used so far per component (the PostgreSQL server with all its backends, MariaDB, Kafka, Connect, ...). */
    Map<String, Double> snapshot() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        services.get().forEach((name, pid) -> cpu.put(name, seconds(pid)));
        ProcessHandle.current().descendants().forEach(p -> {
            String cmd = cmdline(p.pid());
            if (cmd.contains("kafka.Kafka ")) {
                cpu.merge("kafka", seconds(p.pid()), Double::sum);
            } else if (cmd.contains("ConnectDistributed")) {
                cpu.merge("kafka-connect", seconds(p.pid()), Double::sum);
            } else if (cmd.contains("/bin/mariadbd ")) {
                cpu.merge("mariadb", seconds(p.pid()), Double::sum); // one process, a thread per connection
            } else if (cmd.contains("-Dkc.home.dir=")) {
                cpu.merge(KEYCLOAK, seconds(p.pid()), Double::sum);
            } else if (cmd.contains("zipkin-server-") || cmd.contains("io.bookmarket.stack.OtlpReceiver")) {
                cpu.merge(TRACE_BACKEND, seconds(p.pid()), Double::sum);
            }
        });
        long postmaster = -1;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String cmd = cmdline(Long.parseLong(proc.getFileName().toString()));
                if (cmd.contains("/bin/postgres") && cmd.contains(" -p " + postgresPort + " ")) {
                    postmaster = Long.parseLong(proc.getFileName().toString());
                }
            }
        } catch (IOException e) {
            return cpu;
        }
        if (postmaster > 0) {
            long pm = postmaster;
            double pg = seconds(pm);
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    long pid = Long.parseLong(proc.getFileName().toString());
                    if (parentOf(pid) == pm) {
                        pg += seconds(pid);
                    }
                }
            } catch (IOException e) {
                // partial figure
            }
            cpu.put("postgresql", pg);
        }
        cpu.put("load-generator", seconds(ProcessHandle.current().pid()));
        return cpu;
    }

    Mark mark() {
        Map<String, Double> jit = new LinkedHashMap<>();
        Map<String, Double> gc = new LinkedHashMap<>();
        services.get().forEach((name, pid) -> {
            jit.put(name, threadSeconds(pid, CpuAccounting::isJitThread));
            gc.put(name, threadSeconds(pid, CpuAccounting::isGcThread));
        });
        return new Mark(snapshot(), jit, gc, System.nanoTime());
    }

    /**
     * CPU each component burns over {@code window} without traffic (polling consumers, connectors, schedulers), in
     * percent of one core; kept as the baseline {@link #perOperationIdleExcluded} subtracts.
     */
    Map<String, Object> measureIdle(Duration window) throws InterruptedException {
        Mark before = mark();
        Thread.sleep(window.toMillis());
        Mark after = mark();
        double seconds = window.toMillis() / 1000.0;
        Map<String, Double> cores = new LinkedHashMap<>();
        Map<String, Object> percent = new LinkedHashMap<>();
        double total = 0;
        double keycloak = 0;
        for (Map.Entry<String, Double> e : after.seconds.entrySet()) {
            double used = (e.getValue() - before.seconds.getOrDefault(e.getKey(), 0.0)) / seconds;
            cores.put(e.getKey(), used);
            if (e.getKey().equals(KEYCLOAK)) {
                keycloak = used * 100;
            } else if (!e.getKey().equals(TRACE_BACKEND)) {
                total += used * 100;
            }
            percent.put(e.getKey(), LoadGenerator.round(used * 100));
        }
        percent.put("total", LoadGenerator.round(total));
        percent.put("totalWithKeycloak", LoadGenerator.round(total + keycloak));
        idleCores = cores;
        return percent;
    }

    /**
     * Both CPU figures of a run that began at {@code from} and ends now: {@code cpuMsPerOperation} as measured, and
     * {@code cpuMsPerOperationIdleExcluded}, where each component's idle burn over the run is subtracted first; and
     * {@code jitMsPerOperation}, the part of the services' figures their JIT compilers used (near 0 once warm); and
     * {@code gcMsPerOperation}, the part their garbage collector used.
     */
    Map<String, Object> perOperationFrom(Mark from, long operations) {
        Mark to = mark();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpuMsPerOperation", perOperation(from.seconds, to.seconds, operations));
        m.put("cpuMsPerOperationIdleExcluded", perOperationIdleExcluded(from, to, operations));
        Map<String, Object> jit = perOperation(from.jitSeconds, to.jitSeconds, operations);
        jit.remove("totalWithKeycloak"); // Keycloak is no service: the same as total
        m.put("jitMsPerOperation", jit);
        Map<String, Object> gc = perOperation(from.gcSeconds, to.gcSeconds, operations);
        gc.remove("totalWithKeycloak");
        m.put("gcMsPerOperation", gc);
        return m;
    }

    /** Per component: (CPU used - idle rate x the run's duration, at least 0) per operation, in ms. */
    Map<String, Object> perOperationIdleExcluded(Mark from, Mark to, long operations) {
        double seconds = (to.nanos - from.nanos) / 1e9;
        Map<String, Double> busy = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : to.seconds.entrySet()) {
            double used = e.getValue() - from.seconds.getOrDefault(e.getKey(), 0.0);
            busy.put(e.getKey(), Math.max(0, used - idleCores.getOrDefault(e.getKey(), 0.0) * seconds));
        }
        return perOperation(Map.of(), busy, operations);
    }

    /** CPU milliseconds per operation, per component, between two snapshots. */
    static Map<String, Object> perOperation(Map<String, Double> before, Map<String, Double> after, long operations) {
        Map<String, Object> m = new LinkedHashMap<>();
        double total = 0;
        double keycloak = 0;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            double used = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (e.getKey().equals(KEYCLOAK)) {
                keycloak = used;
            } else if (!e.getKey().equals(TRACE_BACKEND)) {
                total += used;
            }
            m.put(e.getKey(), operations == 0 ? 0 : LoadGenerator.round(used * 1000 / operations));
        }
        m.put("total", operations == 0 ? 0 : LoadGenerator.round(total * 1000 / operations));
        m.put("totalWithKeycloak", operations == 0 ? 0 : LoadGenerator.round((total + keycloak) * 1000 / operations));
        return m;
    }

    private static double seconds(long pid) {
        return statSeconds(read("/proc/" + pid + "/stat"));
    }

    /**
     * A JIT compiler thread (/proc/&lt;pid&gt;/task/&lt;tid&gt;/comm "C1 CompilerThre" or "C2 CompilerThre"). On two busy
     * cores a service's one C2 thread needs about three minutes of load before it has compiled the hot paths; until
     * then it takes 15-30 % of the service's CPU, so a figure measured earlier is partly warm-up (issue 14). The bench
     * warms up until this settles and reports what is left of it.
     */
    static boolean isJitThread(String name) {
        return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
    }

    /**
     * The garbage collector's threads: the serial collector the services run with (QuarkusApp) collects in the "VM
     * Thread", which also runs the JVM's other stop-the-world operations (little under load); the parallel and G1
     * collectors have "GC Thread#n" workers besides.
     */
    static boolean isGcThread(String name) {
        return name.startsWith("VM Thread") || name.startsWith("GC Thread") || name.startsWith("G1 ");
    }

    /** CPU seconds the threads of a JVM whose name matches used so far (0 when the process has ended). */
    static double threadSeconds(long pid, Predicate<String> names) {
        double seconds = 0;
        try (Stream<Path> threads = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path thread : threads.toList()) {
                String name = read(thread.resolve("comm").toString());
                if (names.test(name)) {
                    seconds += statSeconds(read(thread.resolve("stat").toString()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0; // the process ended meanwhile: no figure
        }
        return seconds;
    }

    /** utime + stime of a /proc .../stat line, in seconds. */
    private static double statSeconds(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return 0;
        }
        String[] f = stat.substring(close + 2).split(" ");
        // after "(comm) ": state(0) ppid(1) ... utime(11) stime(12)
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    private static long parentOf(long pid) {
        String stat = read("/proc/" + pid + "/stat");
        int close = stat.lastIndexOf(')');
        return close < 0 ? -1 : Long.parseLong(stat.substring(close + 2).split(" ")[1]);
    }

    private static String cmdline(long pid) {
        return read("/proc/" + pid + "/cmdline").replace('\0', ' ');
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
