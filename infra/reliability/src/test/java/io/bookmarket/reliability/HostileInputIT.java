package io.bookmarket.reliability;

import io.bookmarket.launcher.LocalSystem;
import io.bookmarket.reliability.Http.Answer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


/**
 * Hostile input and callers without the right identity, against every endpoint of the three services: each refused
 * with a 4xx problem JSON, and all three databases unchanged.
 */
@Order(1)
class HostileInputIT extends Scenario {

    @Test
    @Order(1)
    void hostileInputIsRefusedWithProblemJsonAndChangesNothing() {
        long seed = file();
        long ticket = awaitConfirmedTicket(seed);
        awaitConsistent("seed", Set.of(seed));
        Map<String, String> before = db.dump();
        // Each sent with the token of a caller the endpoint admits: the input checks are what must refuse it.
        List<Hostile.Probe> probes = new Hostile(tokens).generate(ticket);
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long begin = System.nanoTime();
        sendAll(probes, seed, byStatus, new TreeMap<>(), failures);
        Map<String, String> after = db.dump();
        print("hostile input: %d requests against the 3 services in %d ms; answers by status %s; failures %d",
                probes.size(), millisSince(begin), byStatus, failures.size());
        failures.stream().limit(40).forEach(f -> print("  FAIL %s", f));
        assertThat(probes.size()).isGreaterThanOrEqualTo(500);
        assertThat(failures).isEmpty();
        assertThat(byStatus.keySet()).allMatch(s -> s >= 400 && s < 500);
        assertThat(after).as("databases unchanged (row counts, row hashes, sequences)").isEqualTo(before);
        print("hostile input: databases unchanged (%d tables and sequences compared)", after.size());
    }

    /**
     * Valid requests to every endpoint of the three services from callers who must not make them: no token, an
     * expired one, another issuer's or audience's, a forged signature or forged claims, {@code alg: none}, HS256 with
     * the realm's public key, valid tokens of roles the endpoint does not admit, publisher200 on publisher100's data.
     * Every answer 401 (with a Bearer challenge), 403 or 404 problem JSON, or a list showing nothing of publisher100;
     * never a 5xx; all three databases unchanged.
     */
    @Test
    @Order(2)
    void requestsWithoutTheRightIdentityAreRefusedAndChangeNothing() throws InterruptedException {
        long seed = file();
        long ticket = awaitConfirmedTicket(seed);
        awaitConsistent("identity seed", Set.of(seed));
        await().atMost(EVENTUALLY).until(() -> db.views().containsKey(seed));
        Map<String, String> before = db.dump();
        List<Hostile.Probe> probes = new Hostile(tokens).identity(seed, ticket);
        Map<Integer, Integer> byStatus = new TreeMap<>();
        Map<String, Integer> byKind = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long begin = System.nanoTime();
        // Each probe twice: to the service itself, and through the gateway, where clients come in.
        sendAll(probes, seed, byStatus, byKind, failures, probe -> system.url(probe.service()));
        sendAll(probes, seed, byStatus, byKind, failures, probe -> system.gatewayUrl());
        Map<String, String> after = db.dump();
        long endpoints = probes.stream().map(p -> p.service() + " " + p.method() + " " + p.path()).distinct().count();
        print("identity: %d requests against %d endpoints of the 3 services (each directly and through the gateway) in %d ms; "
                + "by kind %s; answers by status %s; failures %d",
                2 * probes.size(), endpoints, millisSince(begin), byKind, byStatus, failures.size());
        failures.stream().limit(40).forEach(f -> print("  FAIL %s", f));
        assertThat(failures).isEmpty();
        assertThat(byStatus.keySet()).as("never a 5xx").allMatch(s -> s < 500);
        assertThat(byStatus.keySet()).as("401, 403, 404 (and 200 searches showing nothing)").containsOnly(200, 401, 403, 404);
        assertThat(after).as("databases unchanged (row counts, row hashes, sequences)").isEqualTo(before);
        print("identity: databases unchanged (%d tables and sequences compared)", after.size());
    }

    private static void sendAll(List<Hostile.Probe> probes, long seed, Map<Integer, Integer> byStatus, Map<String, Integer> byKind,
            List<String> failures) {
        sendAll(probes, seed, byStatus, byKind, failures, probe -> system.url(probe.service()));
    }

    /** {@code base}: where each probe goes (a service's own port, or the gateway). */
    private static void sendAll(List<Hostile.Probe> probes, long seed, Map<Integer, Integer> byStatus, Map<String, Integer> byKind,
            List<String> failures, java.util.function.Function<Hostile.Probe, String> base) {
        for (Hostile.Probe probe : probes) {
            Answer a = Http.send(probe.method(), base.apply(probe) + probe.path(), probe.contentType(), probe.body(),
                    probe.allHeaders());
            byStatus.merge(a.status(), 1, Integer::sum);
            byKind.merge(probe.kind(), 1, Integer::sum);
            String wrong = Hostile.verdict(probe, a, seed);
            if (wrong != null) {
                failures.add(wrong + " for " + probe.describe() + " via " + base.apply(probe) + " -> " + abbreviate(a.body()));
            }
        }
    }
}
