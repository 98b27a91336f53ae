package io.bookmarket.support.problem;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body larger than {@code quarkus.http.limits.max-body-size} is refused by the HTTP layer with a bare 413 (no body,
 * no content type). Announced sizes are checked here first, so the client gets the same problem JSON as for every
 * other refusal (found by the reliability suite's hostile input).
 */
@Singleton
public class BodyLimit {

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize limit;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 100).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && tooLarge(length)) {
                String traceId = io.bookmarket.support.tracing.TraceIds.current();
                String problem = """
                        {"type":"about:blank","title":"Content Too Large","status":413,\
                        "detail":"The request body is larger than %d bytes.","instance":"%s"%s}"""
                        .formatted(limit.asLongValue(), ctx.request().path().replace("\\", "\\\\").replace("\"", "\\\""),
                                traceId == null ? "" : ",\"traceId\":\"" + traceId + "\"");
                ctx.response().setStatusCode(413)
                        .putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("Connection", "close")
                        .end(problem);
                return;
            }
            ctx.next();
        });
    }

    private boolean tooLarge(String contentLength) {
        try {
            return Long.parseLong(contentLength.strip()) > limit.asLongValue();
        } catch (NumberFormatException e) {
            return false; // the HTTP layer answers malformed lengths itself
        }
    }
}
