package io.bookmarket.regrequest.service;

import io.bookmarket.regrequest.config.FilingConfig;
import io.bookmarket.support.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A bounded, fair queue in front of filing. Without it, 100 clients mean 100 concurrent review calls: approval-service
 * and this service's own cores are shared by all of them, every call slows down, and the review call's timeout (then
 * the circuit breaker) blames approval-service for this service's saturation. With it, at most
 * {@code filing.concurrency} filings run at once, so the review call's timeout measures approval-service alone; the
 * others wait their turn, in order, and only beyond {@code filing.queue} waiting (or {@code filing.max-wait}) is a
 * client answered 503 at once. (MicroProfile's @Bulkhead has a waiting queue only for asynchronous methods.)
 * <p>
 * Per instance, and only a matter of load: it decides nothing about what is stored (duplicates of an Idempotency-Key
 * are settled by the database's primary keys, see {@link RegRequestService#file}), so several replicas are safe; together
 * they run up to replicas x {@code filing.concurrency} review calls at once.
 */
@ApplicationScoped
public class FilingQueue {

    private static final Logger LOG = Logger.getLogger(FilingQueue.class);

    private final FilingConfig config;
    private final Semaphore running;
    private final AtomicInteger waiting = new AtomicInteger();

    @Inject
    public FilingQueue(FilingConfig config) {
        this.config = config;
        this.running = new Semaphore(config.concurrency(), true);
    }

    /** Runs {@code filing} when its turn comes. */
    public <T> T inTurn(Supplier<T> filing) {
        if (waiting.incrementAndGet() > config.queue()) {
            waiting.decrementAndGet();
            LOG.debugf("Filing refused: %d filings already waiting", config.queue());
            throw busy();
        }
        boolean admitted;
        try {
            admitted = running.tryAcquire(config.maxWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        } finally {
            waiting.decrementAndGet();
        }
        if (!admitted) {
            throw busy();
        }
        try {
            return filing.get();
        } finally {
            running.release();
        }
    }

    private static ProblemException busy() {
        return new ProblemException(503, "busy", "Too many requests being filed",
                "Too many registration requests are being filed right now, so this one was not filed. Please retry in a second.",
                Map.of("Retry-After", "1"));
    }
}
