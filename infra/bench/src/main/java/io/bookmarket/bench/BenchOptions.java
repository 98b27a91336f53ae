package io.bookmarket.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Command-line options: {@code --quick --warmup=5s --duration=15s --concurrency=1,10,50,100 ...}. */
final class BenchOptions {

    static final String HELP = """
            Options: --quick (1 s warm-up, 3 s runs, concurrency 1,10, no restarts, short breaker runs, overload 8 clients for 2 s)
                     --aot-training=0 (e.g. 90s: a service with no JDK AOT cache yet trains it under registrations and
                       reads for this long, then restarts from it; a faster first minute, slower POSTs once warm; 0 = the
                       cache is trained by the first start, which serves no traffic)
                     --jit-warmup=60s --jit-warmup-max=360s (c=50 before the POST runs, at least the first, then until
                       every service's JIT compiler threads use under 5 % of a core, at most the second)
                     --warmup=5s --duration=15s --concurrency=1,10,50,100 --lag-rate=50,200 --restarts=3
                     --breaker-warmup=4s (until the breaker is open) --hanging-min=10s (run without breaker)
                     --overload-clients=100 --overload-duration=60s (the original's load test, run fresh and warm)
                     --get-rows=500 (publisher200's own rows, which the GET runs read the first page of)
                     --only=startup,ceiling,post,get,lag,breaker,overload --out=<json> --data=<dir>
                     --jfr (services record JFR into <data>/logs/<service>-<pid>.jfr)
                     --trace-sampling=0.1 (share of new traces the services record and send: the production default;
                       1 = every request, as the local system does; 0 = none, trace ids still propagated)
                     --env=NAME=VALUE (an environment variable for the three services, repeatable: an A/B of one setting)""";

    Path repo = Path.of(System.getProperty("bookmarket.repo", "."));
    Path dataDir;
    Path out;
    Duration warmup = Duration.ofSeconds(5);
    /**
     * Before the POST runs: every service's JIT compiles the hot paths under load (c=50) before anything is measured,
     * for at least jitWarmup and then until the compilers have settled, at most jitWarmupMax (CpuAccounting.jitSeconds).
     */
    Duration jitWarmup = Duration.ofSeconds(60);
    Duration jitWarmupMax = Duration.ofSeconds(360);
    Duration duration = Duration.ofSeconds(15);
    /**
     * How long the services without an AOT cache train it under load before the phases (AotTrainingPhase). Off by
     * default: a cache trained under load made the first minute faster and the warm POST path slower (bench README).
     */
    Duration aotTraining = Duration.ZERO;
    List<Integer> concurrency = List.of(1, 10, 50, 100);
    /** Steady POST rates of the event-lag runs, one run each. */
    List<Double> lagRates = List.of(50.0, 200.0);
    int restarts = 3;
    Duration breakerWarmup = Duration.ofSeconds(4);
    Duration hangingMin = Duration.ofSeconds(10);
    int overloadClients = 100;
    /** publisher200's requests before the GET runs: about what each publisher of the old per-worker GETs had. */
    long getRows = 500;
    Duration overloadDuration = Duration.ofSeconds(60);
    List<String> only = List.of();
    boolean jfr;
    Duration idleWindow = Duration.ofSeconds(10);
    /** The services' production default (parentbased_traceidratio 0.1), not the local system's "every request". */
    String traceSampling = "0.1";
    /** Extra environment of the three services (--env=NAME=VALUE). */
    java.util.Map<String, String> serviceEnv = new java.util.LinkedHashMap<>();

    static BenchOptions parse(String... args) {
        BenchOptions o = new BenchOptions();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            String value = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "--quick" -> {
                    o.warmup = Duration.ofSeconds(1);
                    o.jitWarmup = Duration.ofSeconds(1);
                    o.jitWarmupMax = Duration.ofSeconds(1);
                    o.duration = Duration.ofSeconds(3);
                    o.concurrency = List.of(1, 10);
                    o.lagRates = List.of(20.0);
                    o.restarts = 0;
                    o.breakerWarmup = Duration.ofSeconds(3);
                    o.hangingMin = Duration.ofSeconds(1);
                    o.idleWindow = Duration.ofSeconds(2);
                    o.overloadClients = 8;
                    o.overloadDuration = Duration.ofSeconds(2);
                    o.getRows = 40;
                }
                case "--warmup" -> o.warmup = duration(value);
                case "--jit-warmup" -> o.jitWarmup = duration(value);
                case "--jit-warmup-max" -> o.jitWarmupMax = duration(value);
                case "--duration" -> o.duration = duration(value);
                case "--aot-training" -> o.aotTraining = duration(value);
                case "--concurrency" -> o.concurrency = Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--lag-rate" -> o.lagRates = Arrays.stream(value.split(",")).map(String::trim).map(Double::valueOf).toList();
                case "--restarts" -> o.restarts = Integer.parseInt(value);
                case "--breaker-warmup" -> o.breakerWarmup = duration(value);
                case "--hanging-min" -> o.hangingMin = duration(value);
                case "--overload-clients" -> o.overloadClients = Integer.parseInt(value);
                case "--overload-duration" -> o.overloadDuration = duration(value);
                case "--get-rows" -> o.getRows = Long.parseLong(value);
                case "--jfr" -> o.jfr = true;
                case "--env" -> {
                    String[] nameValue = value.split("=", 2);
                    if (nameValue.length != 2 || nameValue[0].isBlank()) {
                        throw new IllegalArgumentException("--env takes NAME=VALUE, not " + value);
                    }
                    o.serviceEnv.put(nameValue[0], nameValue[1]);
                }
                case "--trace-sampling" -> {
                    double ratio = Double.parseDouble(value);
                    if (ratio < 0 || ratio > 1) {
                        throw new IllegalArgumentException("--trace-sampling is a share between 0 and 1, not " + value);
                    }
                    o.traceSampling = value;
                }
                case "--only" -> o.only = List.of(value.split(","));
                case "--repo" -> o.repo = Path.of(value);
                case "--data" -> o.dataDir = Path.of(value);
                case "--out" -> o.out = Path.of(value);
                case "--help", "-h" -> {
                    System.out.println(HELP);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("Unknown option " + arg + " (try --help)");
            }
        }
        if (o.jitWarmupMax.compareTo(o.jitWarmup) < 0) {
            o.jitWarmupMax = o.jitWarmup;
        }
        if (o.dataDir == null) {
            o.dataDir = o.repo.resolve("infra/bench/target/bench-system");
        }
        if (o.out == null) {
            o.out = o.repo.resolve("infra/bench/target/bench/results.json");
        }
        return o;
    }

    boolean runs(String phase) {
        return only.isEmpty() || only.contains(phase);
    }

    private static Duration duration(String value) {
        return value.endsWith("ms") ? Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)))
                : Duration.ofMillis(Math.round(Double.parseDouble(value.replaceAll("s$", "")) * 1000));
    }
}
