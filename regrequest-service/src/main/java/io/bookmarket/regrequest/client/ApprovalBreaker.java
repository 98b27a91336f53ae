package io.bookmarket.regrequest.client;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/** Makes the approval breaker visible: a log line on every state change and its state in /q/health/ready. */
@Readiness
@ApplicationScoped
public class ApprovalBreaker implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ApprovalBreaker.class);

    @Inject
    CircuitBreakerMaintenance breakers;

    void logStateChanges(@Observes StartupEvent start) {
        breakers.onStateChange(ApprovalReview.BREAKER, state -> {
            switch (state) {
                case OPEN -> LOG.warn("Circuit breaker 'approval-review' OPEN: approval-service is failing; "
                        + "new requests are refused (503) without calling it until the delay has passed");
                case HALF_OPEN -> LOG.info("Circuit breaker 'approval-review' HALF_OPEN: trying approval-service again");
                case CLOSED -> LOG.info("Circuit breaker 'approval-review' CLOSED: approval-service answers again");
            }
        });
    }

    public CircuitBreakerState state() {
        return breakers.currentState(ApprovalReview.BREAKER);
    }

    /**
     * Always UP, whatever the breaker says: an open breaker means approval-service is failing, not this pod.
     * Taking this pod out of service would also stop reads and cancellations (which do not need
     * approval-service) and could not make approval-service any healthier.
     */
    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("approval-review circuit breaker")
                .up()
                .withData("state", state().name())
                .build();
    }
}
