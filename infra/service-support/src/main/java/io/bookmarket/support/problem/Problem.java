package io.bookmarket.support.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bookmarket.support.tracing.TraceIds;

import java.util.List;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}). {@code errors} names each offending field;
 * {@code traceId} (an extension member) is the request's trace, for a user to quote when reporting it.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors,
        String traceId) {

    /** A problem of the request being handled now: its trace id is the current one. */
    public Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {
        this(type, title, status, detail, instance, errors, TraceIds.current());
    }

    public static final String MEDIA_TYPE = "application/problem+json";

    public record FieldError(String field, String message) {
    }
}
