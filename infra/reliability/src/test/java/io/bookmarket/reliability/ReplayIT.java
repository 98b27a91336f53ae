package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/** Every consumer group reset to offset zero: every event re-consumed, nothing changes. */
@Order(6)
class ReplayIT extends Scenario {

    @Test
    @Order(1)
    void replayingEveryTopicFromOffsetZeroChangesNothing() throws Exception {
        awaitConsistent("before replay", ACCEPTED);
        await().atMost(EVENTUALLY).until(() -> topics.totalLag() == 0);
        List<String> services = List.of(PUBLISHER_VIEW, REGREQUEST, APPROVAL);
        services.forEach(system::stopService);
        Map<String, String> before = db.dump();
        topics.resetGroupsToZero();
        long lag = topics.totalLag();
        long begin = System.nanoTime();
        try (ExecutorService starts = Executors.newFixedThreadPool(3)) {
            var started = services.stream().map(name -> starts.submit(() -> system.startService(name))).toList();
            for (Future<?> f : started) { // rethrows a failed start
                f.get();
            }
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> topics.totalLag() == 0);
        long replayed = millisSince(begin);
        Map<String, String> after = db.dump();
        Map<String, String> changed = new TreeMap<>();
        after.forEach((k, v) -> {
            if (!v.equals(before.get(k))) {
                changed.put(k, before.get(k) + " -> " + v);
            }
        });
        print("replay: consumer groups reset to offset 0 (%d records to re-consume), all re-consumed in %d ms (incl. service starts); "
                + "%d tables/sequences compared, %d changed %s", lag, replayed, after.size(), changed.size(), changed);
        assertThat(after).isEqualTo(before);
        Consistency.Figures figures = awaitConsistent("after replay", ACCEPTED);
        print("replay: every consumer re-received every event (duplicates of all %d outbox events): no double effects (%d)",
                figures.outboxEvents(), figures.doubleEffects());
    }
}
