package io.bookmarket.regrequest.client;

import io.bookmarket.regrequest.config.ApprovalConfig;
import io.bookmarket.support.problem.ProblemException;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Fallback;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Opens the review of a registration request at approval-service, synchronously (the seed's transaction
 * requirement), guarded so that a slow or dead approval-service costs a publisher a fast 503, never a hang.
 * The thresholds are configuration: {@code quarkus.fault-tolerance."io.bookmarket.regrequest.client.ApprovalReview/open".*}
 * in application.properties; the values written in the annotations are never used.
 */
@ApplicationScoped
public class ApprovalReview {

    /** The breaker's name, for {@code CircuitBreakerMaintenance}, the health check and the logs. */
    public static final String BREAKER = "approval-review";

    private static final Logger LOG = Logger.getLogger(ApprovalReview.class);

    @Inject
    @RestClient
    ApprovalApi approval;

    @Inject
    ApprovalConfig config;

    @Inject
    CircuitBreakerMaintenance breakers;

    /**
     * Asked before anything else is done for a filing: while the breaker is open the answer is the same 503 as the
     * fallback's, without taking an id, touching the database or waiting in the filing queue.
     */
    public void refuseWhileOpen(long publId) {
        if (breakers.currentState(BREAKER) == CircuitBreakerState.OPEN) {
            LOG.debugf("Request of publisher %d not filed: circuit breaker open", publId);
            throw unavailable();
        }
    }

    /**
     * @return the open ticket
     * @throws ProblemException 503 review-unavailable (with Retry-After) when the review could not be opened
     */
    @Timeout
    // Retrying is safe: approval-service keeps one ticket per reqReqId. An open breaker is not worth retrying.
    @Retry(abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker
    @CircuitBreakerName(BREAKER)
    @Fallback(fallbackMethod = "reviewUnavailable")
    public ApprovalTicket open(long requestId, long publId) {
        ApprovalTicket ticket = approval.open(new ApprovalApi.TicketRequest(requestId, "RegRequested", publId));
        LOG.debugf("Review ticket %s opened for request %d", ticket == null ? "?" : ticket.id(), requestId);
        return ticket;
    }

    ApprovalTicket reviewUnavailable(long requestId, long publId, Throwable cause) {
        if (cause instanceof CircuitBreakerOpenException) {
            // The breaker's opening was logged once as a warning; one line per refusal would flood the log.
            LOG.debugf("Request %d not filed: circuit breaker open", requestId);
        } else {
            LOG.warnf("Request %d not filed: the review could not be opened (%s: %s)", requestId,
                    cause.getClass().getSimpleName(), cause.getMessage());
        }
        throw unavailable();
    }

    private ProblemException unavailable() {
        long seconds = Math.max(1, (config.retryAfter().toMillis() + 999) / 1000);
        return new ProblemException(503, "review-unavailable", "Review service unavailable",
                "The review service is unavailable, so the request was not filed. Please retry later (in about "
                        + seconds + " seconds).",
                Map.of("Retry-After", Long.toString(seconds)));
    }
}
