package io.bookmarket.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the benchmark working: a tiny run of every phase (about two minutes on an idle 2-core machine). It checks that
 * each phase produced figures from real traffic, never what the figures are (the machine is shared).
 */
class BenchSmokeIT {

    @Test
    void everyPhaseProducesFigures() throws Exception {
        Path out = Path.of("target/bench-smoke/results.json");
        BenchOptions options = BenchOptions.parse("--quick", "--warmup=500ms", "--duration=1s", "--concurrency=1,4",
                "--lag-rate=20,40", "--overload-clients=4", "--overload-duration=1s", "--data=target/bench-smoke-system",
                "--out=" + out);
        new Bench(options).run();

        JsonNode r = new ObjectMapper().readTree(out.toFile());
        assertThat(r.path("machine").path("nproc").asInt()).isPositive();
        assertThat(r.path("setup").path("loadavgEnd").asText()).isNotBlank();
        for (String service : new String[] {"approval-service", "regrequest-service", "publisher-view"}) {
            JsonNode s = r.path("startup").path(service);
            assertThat(s.path("firstStartReadyMs").asLong()).as(service).isPositive();
            assertThat(s.path("jvmRssMbMedian").asDouble()).as(service).isPositive();
            assertThat(s.path("native").isMissingNode()).as(service).isFalse();
            assertThat(s.path("packaging").asText()).as(service).isEqualTo("fast-jar"); // the default build
        }
        // A fast-jar has no JDK AOT cache to train (aot-jar: infra/bench.sh builds with -Paot).
        assertThat(r.path("aotTraining").path("training")).as("services training an AOT cache").isEmpty();
        assertThat(r.path("aotTraining").path("skipped").asText()).contains("fast-jar");
        JsonNode pg = r.path("commitCeiling").path("postgresql");
        assertThat(pg.path("serverSettings").path("fsync").asText()).isEqualTo("on");
        assertThat(pg.path("serverSettings").path("synchronous_commit").asText()).isEqualTo("on");
        JsonNode maria = r.path("commitCeiling").path("mariadb");
        assertThat(maria.path("serverSettings").path("innodb_flush_log_at_trx_commit").asText()).isEqualTo("1");
        assertThat(maria.path("serverSettings").path("sync_binlog").asText()).isEqualTo("1");
        for (String phase : new String[] {"post", "get"}) {
            assertThat(r.path(phase)).as(phase).hasSize(2);
            for (JsonNode run : r.path(phase)) {
                assertThat(run.path("ok").asLong()).as(phase + " " + run).isPositive();
                assertThat(run.path("latencyMs").path("p99").asDouble()).as(phase).isPositive();
                assertThat(run.path("cpuMsPerOperation").path("total").asDouble()).as(phase).isPositive();
                assertThat(run.path("cpuMsPerOperationIdleExcluded").path("total").isNumber()).as(phase).isTrue();
            }
        }
        for (JsonNode run : r.path("get")) {
            assertThat(run.path("failed").asLong()).as("GET " + run).isZero();
        }
        // On a loaded machine a POST may time out at approval-service (503 by design); nothing else is acceptable.
        for (JsonNode run : r.path("post")) {
            run.path("statuses").fieldNames().forEachRemaining(status -> assertThat(status).as("POST " + run).isIn("201", "503"));
            // Right after start the JIT compilers are busy: their share is found, and is a part of each service's CPU.
            JsonNode jit = run.path("jitMsPerOperation");
            assertThat(jit.path("total").asDouble()).as("JIT compiler CPU in " + run).isPositive();
            for (String service : new String[] {"regrequest-service", "approval-service", "publisher-view"}) {
                assertThat(jit.path(service).asDouble()).as(service + " JIT in " + run)
                        .isBetween(0.0, run.path("cpuMsPerOperation").path(service).asDouble());
                // The collector's share is measured, and a part of each service's CPU too (a 1 s run may collect nothing).
                assertThat(run.path("gcMsPerOperation").has(service)).as(service + " GC in " + run).isTrue();
                assertThat(run.path("gcMsPerOperation").path(service).asDouble()).as(service + " GC in " + run)
                        .isBetween(0.0, run.path("cpuMsPerOperation").path(service).asDouble());
            }
        }
        assertThat(r.path("idleCpu").path("total").asDouble()).isPositive();
        assertThat(r.path("idleCpu").has("mariadb")).as("MariaDB's CPU is counted").isTrue();
        assertThat(r.path("idleCpu").has("keycloak")).as("Keycloak's CPU is counted (apart)").isTrue();
        // Every request carried a bearer token, and Keycloak was asked only outside the measured windows, a few times.
        JsonNode tokens = r.path("setup").path("tokens");
        assertThat(tokens.path("fetchedOutsideMeasuredWindows").asLong()).as("tokens fetched").isBetween(1L, 20L);
        assertThat(tokens.path("renewedDuringRuns").asLong()).as("tokens fetched during measured runs").isZero();
        for (JsonNode run : r.path("post")) {
            assertThat(run.path("cpuMsPerOperation").has("keycloak")).as("Keycloak apart in " + run.path("name")).isTrue();
        }
        for (JsonNode ceiling : List.of(pg, maria)) {
            assertThat(ceiling.path("runs")).hasSize(2);
            for (JsonNode run : ceiling.path("runs")) {
                assertThat(run.path("ok").asLong()).isPositive();
            }
        }
        assertThat(r.path("eventLag")).as("one run per --lag-rate").hasSize(2);
        for (JsonNode lag : r.path("eventLag")) {
            assertThat(lag.path("filed").asLong()).isPositive();
            assertThat(lag.path("inView").asLong()).as("every filed request reached the view").isEqualTo(lag.path("filed").asLong());
            assertThat(lag.path("occurredToViewMs").path("count").asLong()).isEqualTo(lag.path("filed").asLong());
            assertThat(lag.path("occurredToRelayMs").path("count").asLong()).as("relay times read from Kafka")
                    .isEqualTo(lag.path("filed").asLong());
        }
        for (String run : new String[] {"breakerOpen", "noBreaker"}) {
            JsonNode b = r.path("breaker").path(run);
            assertThat(b.path("ok").asLong()).as(run + ": POSTs refused with 503").isPositive();
            assertThat(b.path("failed").asLong()).as(run + ": only 503s " + b.path("statuses")).isZero();
        }
        for (String run : new String[] {"fresh", "warm"}) {
            JsonNode o = r.path("overload").path(run);
            assertThat(o.path("ok").asLong()).as("overload " + run + ": 201s " + o.path("statuses")).isPositive();
            o.path("statuses").fieldNames().forEachRemaining(status -> assertThat(status).as("overload " + run).isIn("201", "503"));
            assertThat(o.path("status503WithoutRetryAfter").asLong()).as("overload " + run + ": every 503 has Retry-After").isZero();
            assertThat(o.path("status503WithRetryAfter").asLong()).as("overload " + run)
                    .isEqualTo(o.path("statuses").path("503").asLong());
            assertThat(o.path("other5xx").asLong()).as("overload " + run).isZero();
            assertThat(o.path("noAnswer").asLong()).as("overload " + run).isZero();
            // Raw: the corrected histogram also holds the samples the coordinated-omission correction adds.
            assertThat(o.path("latencyMsRaw").path("count").asLong()).as("overload " + run)
                    .isEqualTo(o.path("ok").asLong() + o.path("failed").asLong());
            for (String p : new String[] {"p50", "p90", "p99", "p99.9", "max"}) {
                assertThat(o.path("latencyMs").path(p).asDouble()).as("overload " + run + " " + p).isPositive();
                assertThat(o.path("latencyMsRaw").path(p).asDouble()).as("overload " + run + " raw " + p).isPositive();
            }
            assertThat(o.path("cpuMsPerOperation").path("total").asDouble()).as("overload " + run).isPositive();
            assertThat(o.path("goodputToBestPost").isNumber()).as("overload " + run + ": the POST phase ran").isTrue();
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
                .as("processes left behind").isZero();
    }
}
