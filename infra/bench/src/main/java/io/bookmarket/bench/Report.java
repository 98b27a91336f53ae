package io.bookmarket.bench;

import java.util.List;
import java.util.Map;

/** The results as a plain-text table (the JSON has every figure, this is what a reader scans). */
final class Report {

    private Report() {
    }

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> r) {
        StringBuilder out = new StringBuilder();
        Map<String, Object> machine = (Map<String, Object>) r.get("machine");
        Map<String, Object> setup = (Map<String, Object>) r.get("setup");
        out.append(String.format("Machine: %s, %s logical CPUs (nproc %s), %s MB RAM, %s%n", machine.get("cpuModel"),
                machine.get("logicalCpus"), machine.get("nproc"), machine.get("memTotalMb"), machine.get("java")));
        out.append(String.format("Load average: start %s, end %s. Warm-up %s s, duration %s s per run, concurrency %s.%n",
                setup.get("loadavgStart"), setup.get("loadavgEnd"), setup.get("warmupSeconds"), setup.get("durationSeconds"),
                setup.get("concurrency")));
        out.append("Latencies in ms, corrected for coordinated omission (raw p99 in brackets). CPU ms/op: all components but\n"
                + "Keycloak, each one's idle burn (idle CPU below x the run's duration) excluded; idle ms/op: that idle burn, per op.\n"
                + "Keycloak is shown apart: every request carries a bearer token fetched before the measured window.\n");
        if (setup.get("tokens") instanceof Map<?, ?> tokens) {
            out.append("Tokens: ").append(tokens).append('\n');
        }
        if (r.get("systemStart") instanceof Map<?, ?> s) {
            out.append(String.format("%nWhole system start: %s ms (infrastructure %s)%n", s.get("wholeSystemMs"), s.get("infrastructureMs")));
        }
        if (r.get("aotTraining") instanceof Map<?, ?> aot) {
            out.append("JDK AOT caches: ").append(aot.get("skipped") != null ? aot.get("skipped")
                    : "trained by this run under load (POST " + aot.get("post") + ", GET " + aot.get("get") + "): " + aot.get("caches"))
                    .append('\n');
        }
        if (r.get("idleCpu") instanceof Map<?, ?> idle) {
            out.append("Idle CPU, % of one core (no traffic): ").append(idle).append('\n');
        }
        if (r.get("startup") instanceof Map<?, ?> startup) {
            out.append(String.format("%n%-20s %14s %14s %12s %-32s %s%n", "start-up (JVM)", "ready ms (med)", "first start ms",
                    "RSS MB", "packaging (restarts)", "native"));
            startup.forEach((service, v) -> {
                Map<String, Object> m = (Map<String, Object>) v;
                Object nat = m.get("native");
                String nativeText = nat instanceof Map<?, ?> n ? n.get("readyMs") + " ms, " + n.get("rssMb") + " MB" : String.valueOf(nat);
                out.append(String.format("%-20s %14s %14s %12s %-32s %s%n", service, m.get("jvmReadyMsMedian"),
                        m.get("firstStartReadyMs"), m.get("jvmRssMbMedian"), m.get("packaging"), nativeText));
            });
        }
        if (r.get("rssAfterPostMb") instanceof Map<?, ?> rss) {
            out.append("RSS after the POST runs (MB): ").append(rss).append('\n');
        }
        if (r.get("commitCeiling") instanceof Map<?, ?> ceilings) {
            for (Map.Entry<?, ?> e : ceilings.entrySet()) {
                Map<String, Object> c = (Map<String, Object>) e.getValue();
                out.append("\nDurable one-row commits, ").append(e.getKey()).append(" (JDBC, ").append(c.get("serverSettings")).append(")\n");
                runs(out, (List<Map<String, Object>>) c.get("runs"));
            }
        }
        if (r.get("post") instanceof List<?> post) {
            out.append("\nPOST /regRequests (publisher-view's backlog drained before each run)\n");
            runs(out, (List<Map<String, Object>>) post);
            for (Map<String, Object> run : (List<Map<String, Object>>) post) {
                out.append("  CPU ms per POST at c=").append(run.get("concurrency")).append(", idle excluded: ")
                        .append(run.get("cpuMsPerOperationIdleExcluded")).append('\n');
                jitAndGcShares(out, run);
                if (run.get("cpuMsPerOperation") instanceof Map<?, ?> measured && measured.containsKey(CpuAccounting.KEYCLOAK)) {
                    out.append("    Keycloak, apart (not in total): ").append(measured.get(CpuAccounting.KEYCLOAK))
                            .append(" ms per POST as measured, idle included\n");
                }
                out.append("    until its events were applied (").append(run.get("appliedAfterRunMs")).append(" ms after the run): ")
                        .append(run.get("cpuMsPerOperationUntilApplied")).append('\n');
            }
        }
        if (r.get("get") instanceof List<?> get) {
            out.append("\nGET /publpages?publId=\n");
            runs(out, (List<Map<String, Object>>) get);
        }
        for (Object each : r.get("eventLag") instanceof List<?> lags ? lags : List.of()) {
            Map<String, Object> lag = (Map<String, Object>) each;
            Map<String, Object> load = (Map<String, Object>) lag.get("load");
            out.append(String.format("%nEvent lag under a steady %s POST/s (%s filed, %s in the view)%n", load.get("ratePerSecond"),
                    lag.get("filed"), lag.get("inView")));
            out.append(String.format("  occurredAt -> view updated: %s%n", brief((Map<String, Object>) lag.get("occurredToViewMs"))));
            out.append(String.format("    of which occurredAt -> relayed by Debezium: %s%n", brief((Map<String, Object>) lag.get("occurredToRelayMs"))));
            out.append(String.format("    of which relayed -> view updated: %s%n", brief((Map<String, Object>) lag.get("relayToViewMs"))));
            out.append(String.format("  201 received -> view updated: %s%n", brief((Map<String, Object>) lag.get("answerToViewMs"))));
            out.append(String.format("  steady POST latency: %s%n", brief((Map<String, Object>) load.get("latencyMs"))));
        }
        if (r.get("breaker") instanceof Map<?, ?> b) {
            out.append("\nPOST while approval-service hangs (SIGSTOP), concurrency 10\n");
            runs(out, List.of((Map<String, Object>) b.get("breakerOpen"), (Map<String, Object>) b.get("noBreaker")));
        }
        if (r.get("overload") instanceof Map<?, ?> o) {
            out.append(String.format("%nOverload: the original's load test, %s clients without think time, POST %s through the gateway for %s s "
                    + "(fresh: services just restarted, no warm-up)%n", o.get("clients"), o.get("path"), setup.get("overloadDurationSeconds")));
            List<Map<String, Object>> both = List.of((Map<String, Object>) o.get("fresh"), (Map<String, Object>) o.get("warm"));
            runs(out, both);
            for (Map<String, Object> run : both) {
                Object ratio = run.containsKey("goodputToBestPost") ? run.get("goodputToBestPost") + " x best POST" : "no POST runs";
                out.append(String.format("  %-14s goodput %s/s (%s), 2xx %s%%, p99.9 %s ms, 503 with/without Retry-After %s/%s, "
                                + "other 5xx %s, no answer %s%n", abbreviate((String) run.get("name")), run.get("goodputPerSecond"),
                        ratio, run.get("share2xxPercent"), ((Map<String, Object>) run.get("latencyMs")).get("p99.9"),
                        run.get("status503WithRetryAfter"), run.get("status503WithoutRetryAfter"), run.get("other5xx"),
                        run.get("noAnswer")));
                out.append("    CPU ms per request, idle excluded: ").append(run.get("cpuMsPerOperationIdleExcluded")).append('\n');
                jitAndGcShares(out, run);
            }
        }
        return out.toString();
    }

    /** What of a run's CPU the services' JIT compilers and garbage collectors used, when measured. */
    private static void jitAndGcShares(StringBuilder out, Map<String, Object> run) {
        if (run.get("jitMsPerOperation") instanceof Map<?, ?> jit) {
            out.append("    of which the services' JIT compiler threads: ").append(jit).append('\n');
        }
        if (run.get("gcMsPerOperation") instanceof Map<?, ?> gc) {
            out.append("    of which the services' garbage collector: ").append(gc).append('\n');
        }
    }

    @SuppressWarnings("unchecked")
    private static void runs(StringBuilder out, List<Map<String, Object>> runs) {
        out.append(String.format("  %-14s %6s %10s %9s %9s %9s %9s %11s %9s %10s %s%n", "run", "conc", "ops/s", "p50", "p90", "p99",
                "max", "(raw p99)", "CPU ms/op", "idle ms/op", "statuses"));
        for (Map<String, Object> run : runs) {
            Map<String, Object> l = (Map<String, Object>) run.get("latencyMs");
            Map<String, Object> raw = (Map<String, Object>) run.get("latencyMsRaw");
            Object cpu = "-";
            Object idle = "-";
            if (run.get("cpuMsPerOperation") instanceof Map<?, ?> measured
                    && run.get("cpuMsPerOperationIdleExcluded") instanceof Map<?, ?> busy) {
                double busyTotal = ((Number) busy.get("total")).doubleValue();
                cpu = busyTotal;
                idle = LoadGenerator.round(((Number) measured.get("total")).doubleValue() - busyTotal);
            }
            out.append(String.format("  %-14s %6s %10s %9s %9s %9s %9s %11s %9s %10s %s%n", abbreviate((String) run.get("name")),
                    run.getOrDefault("concurrency", "-"), run.get("throughputPerSecond"), l.get("p50"), l.get("p90"), l.get("p99"),
                    l.get("max"), "(" + raw.get("p99") + ")", cpu, idle, run.get("statuses")));
        }
    }

    private static String brief(Map<String, Object> p) {
        return String.format("n=%s p50 %s, p90 %s, p99 %s, max %s ms", p.get("count"), p.get("p50"), p.get("p90"), p.get("p99"), p.get("max"));
    }

    private static String abbreviate(String s) {
        return s.length() <= 14 ? s : s.substring(0, 14);
    }
}
