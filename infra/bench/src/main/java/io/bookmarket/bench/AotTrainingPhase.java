package io.bookmarket.bench;

import io.bookmarket.stack.QuarkusApp;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.bookmarket.bench.Bench.progress;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;

/**
 * With {@code --aot-training}: trains the JDK AOT caches of the services that have none yet under the bench's own
 * traffic, before anything is measured. A cache holds what its training run loaded, linked and profiled; trained by a
 * start that served nothing (the default: the services' first start), it lacks the request path. Trained under
 * registrations, the first minute after a restart was faster and the warm POST path slower (bench README, 2026-12-07
 * 14:30-16:12), so it is a measurement, not the default. Registrations, then reads, then those services are
 * restarted: each writes its cache as it stops and starts from it.
 */
final class AotTrainingPhase {

    private static final int CLIENTS = 20;

    private final BenchOptions options;
    private final SystemUnderTest sut;

    AotTrainingPhase(BenchOptions options, SystemUnderTest sut) {
        this.options = options;
        this.sut = sut;
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> training = SystemUnderTest.SERVICES.stream()
                .filter(service -> sut.system().service(service).packaging().contains("training")).toList();
        m.put("training", training);
        if (training.isEmpty()) {
            m.put("skipped", "no service trains a cache now (packaging: " + packagings() + ")");
            progress("AOT training: not needed (%s)", packagings());
            return m;
        }
        if (options.aotTraining.isZero()) {
            m.put("skipped", "--aot-training=0: the caches are trained by a start without traffic");
            progress("AOT training: %s train their caches without traffic (--aot-training=0)", training);
            return m;
        }
        progress("AOT training: %s have no AOT cache; POST /regRequests at c=%d for %d s, then GET /publpages, to train "
                + "them on the request path", training, CLIENTS, options.aotTraining.toSeconds());
        long begin = System.nanoTime();
        sut.warmPath(); // a cold service may time out at first and open the breaker, which would refuse the training
        BenchTokens tokens = sut.tokens();
        tokens.validFor(options.aotTraining.plusSeconds(30), BenchTokens.PUBLISHER);
        LoadGenerator.Outcome posts = LoadGenerator.closedLoop("AOT training POST", CLIENTS, Duration.ZERO,
                options.aotTraining, status -> status == 201, (worker, seq) -> sut.postRequest(seq).statusCode());
        URI page = URI.create(sut.system().url(PUBLISHER_VIEW) + "/publpages?publId=" + BenchTokens.PUBL_ID);
        Duration reads = options.aotTraining.dividedBy(6);
        tokens.validFor(reads.plusSeconds(30), BenchTokens.PUBLISHER);
        sut.awaitViewCaughtUp("AOT training GET");
        LoadGenerator.Outcome gets = LoadGenerator.closedLoop("AOT training GET", CLIENTS / 2, Duration.ZERO, reads,
                status -> status == 200, (worker, seq) -> sut.http().send(HttpRequest.newBuilder(page)
                        .header("Authorization", tokens.authorization(BenchTokens.PUBLISHER)).timeout(Duration.ofSeconds(30))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        m.put("post", summary(posts));
        m.put("get", summary(gets));
        progress("AOT training: %d POSTs (%.0f/s, statuses %s), %d GETs (%.0f/s, statuses %s); restarting %s to write "
                + "their caches", posts.requests(), posts.throughput(), posts.json().get("statuses"), gets.requests(),
                gets.throughput(), gets.json().get("statuses"), training);
        Map<String, Object> caches = new LinkedHashMap<>();
        for (String service : training) {
            sut.restart(service); // the JVM writes the cache as it exits in order; the new start loads it
            QuarkusApp app = sut.system().service(service);
            Path cache = options.repo.resolve(service + "/target/quarkus-app/app.aot");
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("packaging", app.packaging());
            c.put("cacheMb", Files.isRegularFile(cache) ? LoadGenerator.round(Files.size(cache) / 1048576.0) : 0);
            caches.put(service, c);
            if (!app.packaging().endsWith("with AOT cache")) {
                progress("AOT training: %s wrote no usable cache (it starts as %s; see %s)", service, app.packaging(),
                        app.logFile());
            }
        }
        m.put("caches", caches);
        m.put("ms", Duration.ofNanos(System.nanoTime() - begin).toMillis());
        progress("AOT training: done in %d s; %s", Duration.ofNanos(System.nanoTime() - begin).toSeconds(), caches);
        return m;
    }

    private Map<String, String> packagings() {
        Map<String, String> p = new LinkedHashMap<>();
        SystemUnderTest.SERVICES.forEach(service -> p.put(service, sut.system().service(service).packaging()));
        return p;
    }

    private static Map<String, Object> summary(LoadGenerator.Outcome outcome) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("requests", outcome.requests());
        s.put("perSecond", LoadGenerator.round(outcome.throughput()));
        s.put("statuses", outcome.json().get("statuses"));
        return s;
    }
}
