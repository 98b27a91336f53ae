package io.bookmarket.approval.service;

import io.bookmarket.approval.config.ApproveConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * Deletes tickets still unconfirmed after {@code approve.unconfirmed-ttl}: regrequest-service opened them, then its
 * request failed to commit, so no RegRequested will ever confirm them. Nothing is published: for the rest of the
 * system the request never existed. Safe with several replicas (a plain DELETE; a concurrent confirmation wins).
 */
@ApplicationScoped
public class UnconfirmedExpiry {

    private static final Logger LOG = Logger.getLogger(UnconfirmedExpiry.class);

    @Inject
    ApproveConfig config;

    @Inject
    EntityManager em;

    private final Counter expired;

    @Inject
    public UnconfirmedExpiry(MeterRegistry registry) {
        this.expired = Counter.builder("approve.tickets.expired")
                .description("Unconfirmed review tickets deleted by the expiry job").register(registry);
    }

    @Scheduled(identity = "unconfirmed-ticket-expiry", every = "{approve.expiry-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule() {
        expire();
    }

    /** @return how many tickets expired */
    @Transactional
    public int expire() {
        Instant cutoff = Instant.now().minus(config.unconfirmedTtl());
        @SuppressWarnings("unchecked")
        List<Number> requests = em.createNativeQuery("""
                        DELETE FROM approve WHERE NOT confirmed AND app_yn = 'RegRequested' AND created_at < :cutoff
                        RETURNING req_req_id""")
                .setParameter("cutoff", cutoff)
                .getResultList();
        if (requests.isEmpty()) {
            LOG.debug("No unconfirmed review ticket expired");
        } else {
            expired.increment(requests.size());
            LOG.infof("%d unconfirmed review ticket(s) expired (requests %s): never confirmed within %s, their requests were not stored",
                    requests.size(), requests.stream().map(Number::longValue).toList(), config.unconfirmedTtl());
        }
        return requests.size();
    }
}
