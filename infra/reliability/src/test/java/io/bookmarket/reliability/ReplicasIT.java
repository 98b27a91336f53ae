package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/** Two replicas of every service behind the gateway: rolling redeploys, a killed replica, consumers sharing partitions. */
@Order(7)
class ReplicasIT extends Scenario {
    /** Clients of the availability scenarios, going through the gateway (fewer during redeploys: starts need the cores). */
    private static final int GATEWAY_CLIENTS = 4;
    private static final int REDEPLOY_CLIENTS = 2;

    /**
     * Zero-downtime redeploy: under a steady load through the gateway, every replica of every service is restarted one
     * at a time (SIGTERM, shutdown delay with readiness DOWN, stop, start, ready): no call fails, nothing is lost. Then
     * regrequest-service's replicas again with the shutdown delay at 0, printed beside it: what giving the gateway's
     * readiness poll time buys.
     */
    @Test
    @Order(1)
    void redeployingEveryReplicaOneAtATimeUnderLoadFailsNothing() {
        Duration delay = options.shutdownDelay();
        // regrequest-service's replicas come back without a delay, so that their next stop shows a stop without one.
        Redeploy graceful = redeploy(List.of(APPROVAL, PUBLISHER_VIEW, REGREQUEST), Map.of(REGREQUEST, Duration.ZERO));
        Redeploy abrupt = redeploy(List.of(REGREQUEST), Map.of(REGREQUEST, delay));
        print("zero-downtime redeploy through the gateway: %d replicas restarted one at a time (SIGTERM, %d ms shutdown delay, "
                        + "start, ready) in %d s under %d clients: %s; accepted %d, lost 0", 3 * REPLICAS, delay.toMillis(),
                graceful.millis / 1000, REDEPLOY_CLIENTS, graceful.load.figures(), graceful.load.accepted.size());
        print("the same for regrequest-service's %d replicas with the shutdown delay at 0 ms (a replica stops listening as soon "
                        + "as it is told to): %s; accepted %d, lost 0", REPLICAS, abrupt.load.figures(), abrupt.load.accepted.size());
        assertThat(graceful.load.failures).as("failed calls during the redeploy with the shutdown delay").isEmpty();
        assertThat(graceful.load.answered()).as("calls during the redeploy").isGreaterThan(100);
    }

    private record Redeploy(GatewayLoad load, long millis) {
    }

    /**
     * Every replica of the services stopped and started again, one at a time, under load through the gateway; a
     * replica comes back with its service's delay in {@code nextDelays}, else the current one.
     */
    private static Redeploy redeploy(List<String> services, Map<String, Duration> nextDelays) {
        Duration current = options.shutdownDelay();
        int deadLetteredBefore = deadLettered();
        GatewayLoad load = new GatewayLoad(system.gatewayUrl(), tokens, REDEPLOY_CLIENTS);
        long millis;
        try {
            sleep(2000);
            long begin = System.nanoTime();
            for (String service : services) {
                options.shutdownDelay(nextDelays.getOrDefault(service, current));
                for (int replica = 1; replica <= REPLICAS; replica++) {
                    system.stop(service, replica);
                    system.start(service, replica);
                }
            }
            millis = millisSince(begin);
            sleep(2000);
        } finally {
            options.shutdownDelay(current);
            load.close();
        }
        ACCEPTED.addAll(load.accepted);
        awaitConsistent("after a redeploy", load.accepted);
        // A stopping consumer leaves its poll to the next one rather than dead-lettering it (EventConsumption).
        assertThat(deadLettered()).as("records on the dead-letter topics after the redeploy").isEqualTo(deadLetteredBefore);
        return new Redeploy(load, millis);
    }

    /** Records on all dead-letter topics (counted on the topics: the replicas' metrics restart with them). */
    private static int deadLettered() {
        return DEAD_LETTER_TOPICS.keySet().stream().mapToInt(dlq -> topics.readAll(dlq).size()).sum();
    }

    /**
     * One regrequest-service replica killed (SIGKILL) under load through the gateway: only the calls it was serving may
     * fail (at most one per client), at least 99.9 % are answered 2xx, no accepted request is lost, and all three services
     * agree within 30 s of its restart.
     */
    @Test
    @Order(2)
    void killingOneReplicaUnderLoadCostsOnlyTheCallsItWasServing() {
        GatewayLoad load = new GatewayLoad(system.gatewayUrl(), tokens, GATEWAY_CLIENTS);
        long restartedAt;
        try {
            // Enough calls for the share to mean something: at most one failure per client is 0.1 % of 4,000.
            load.runUntil(6_000, Duration.ofSeconds(60));
            system.kill(REGREQUEST, REPLICAS);
            sleep(3000);
            system.start(REGREQUEST, REPLICAS);
            restartedAt = System.nanoTime();
            sleep(2000);
        } finally {
            load.close();
        }
        ACCEPTED.addAll(load.accepted);
        Duration left = EVENTUALLY.minus(Duration.ofNanos(System.nanoTime() - restartedAt));
        awaitConsistent("one replica killed", load.accepted, left.isNegative() ? Duration.ofSeconds(1) : left);
        print("one regrequest-service replica killed (SIGKILL) under %d clients through the gateway: %s; accepted %d, lost 0; "
                        + "all three services agree %d ms after its restart; connects the gateway retried on another replica so far %d",
                GATEWAY_CLIENTS, load.figures(), load.accepted.size(), millisSince(restartedAt), system.gateway().retriedConnects());
        assertThat(load.failed()).as("failed calls: only those in flight on the killed replica, %s", load.failures)
                .isLessThanOrEqualTo(GATEWAY_CLIENTS);
        assertThat(load.successShare()).as("share of calls answered 2xx").isGreaterThanOrEqualTo(0.999);
    }

    /**
     * Two replicas of every consumer: each topic's partitions are shared by the replicas (both hold some), and every
     * event was applied exactly once across them: each service's processed-event log holds every event id of the topics
     * it consumes, once, and no state change happened twice.
     */
    @Test
    @Order(3)
    void consumerReplicasShareThePartitionsAndApplyEveryEventOnce() {
        Map<String, Map<String, Integer>> holders = new TreeMap<>();
        await().atMost(EVENTUALLY).pollInterval(Duration.ofMillis(500)).until(() -> {
            holders.clear();
            topics.assignments().forEach((group, members) -> members.values().forEach(partitions -> partitions.stream()
                    .map(p -> p.substring(0, p.lastIndexOf('-'))).distinct()
                    .forEach(topic -> holders.computeIfAbsent(group + " <- " + topic, k -> new TreeMap<>()).merge("members", 1, Integer::sum))));
            return holders.size() == 4 && holders.values().stream().allMatch(m -> m.get("members") >= REPLICAS);
        });
        Consistency.Figures figures = awaitConsistent("consumer replicas", ACCEPTED);
        print("consumer replicas: %s members hold partitions (3 per topic); every event applied exactly once across them: "
                        + "%d events, 0 missing, 0 double effects, %d duplicated deliveries seen (each applied once)",
                holders, figures.outboxEvents(), figures.duplicateDeliveries());
        assertThat(figures.missingDeliveries()).isZero();
        assertThat(figures.doubleEffects()).isZero();
    }
}
