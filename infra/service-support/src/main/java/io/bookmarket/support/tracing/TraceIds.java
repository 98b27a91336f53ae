package io.bookmarket.support.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Every answer names its trace ({@code X-Trace-Id}), so a user who reports a problem can quote it and an operator can
 * find the request in the trace UI. A request that came with a W3C {@code traceparent} keeps that trace (Quarkus
 * continues it), so a caller finds its own request under its own trace id.
 */
@ApplicationScoped
public class TraceIds {

    public static final String HEADER = "X-Trace-Id";

    /** The trace id of the request or event being handled on this thread, or null outside any trace. */
    public static String current() {
        SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? context.getTraceId() : null;
    }

    void addHeader(@Observes Filters filters) {
        // Runs before routing and authentication, so 401s and 404s carry it too: the server span exists already.
        filters.register(rc -> {
            String traceId = current();
            if (traceId != null) {
                rc.response().putHeader(HEADER, traceId);
            }
            rc.next();
        }, 1000);
    }
}
