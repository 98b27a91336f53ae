package io.bookmarket.support.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.bookmarket.support.Infrastructure;
import io.bookmarket.support.problem.Problem.FieldError;
import jakarta.persistence.OptimisticLockException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Renders every client-visible failure as RFC 9457 problem JSON, naming the offending fields. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        Response.ResponseBuilder response = response(new Problem("urn:bookmarket:problem:" + e.slug(), e.title(),
                e.status(), e.getMessage(), path(uri), List.of()));
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        List<FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new FieldError(field(v), v.getMessage()))
                .sorted(Comparator.comparing(FieldError::field))
                .toList();
        String fields = errors.stream().map(FieldError::field).distinct().collect(Collectors.joining(", "));
        return response(new Problem("urn:bookmarket:problem:invalid-request", "Invalid request", 400,
                "Invalid value for: " + fields + ".", path(uri), errors)).build();
    }

    /** Wrong types ("bookId": "ten"), wrong shapes and unknown enum values. */
    @ServerExceptionMapper({ MismatchedInputException.class, InvalidFormatException.class })
    public Response mismatch(JsonMappingException e, UriInfo uri) {
        String field = jsonPath(e);
        return response(new Problem("urn:bookmarket:problem:invalid-request", "Invalid request", 400,
                field.isEmpty() ? "The request body has the wrong shape." : "Field '" + field + "' has the wrong type or format.",
                path(uri), field.isEmpty() ? List.of() : List.of(new FieldError(field, "wrong type or format")))).build();
    }

    /** Malformed JSON. */
    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e, UriInfo uri) {
        return response(new Problem("urn:bookmarket:problem:malformed-json", "Malformed JSON", 400,
                "The request body is not valid JSON: " + e.getOriginalMessage(), path(uri), List.of())).build();
    }

    /**
     * 404 for unknown paths, 405, 406, 415 ... from the REST layer. Quarkus REST reports an unparseable body as a
     * plain 400 wrapping Jackson's error: unwrap it so the client reads "Malformed JSON" and where.
     */
    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonMappingException mapping) {
                return mismatch(mapping, uri);
            }
            if (cause instanceof JsonProcessingException json) {
                return malformed(json, uri);
            }
        }
        int status = e.getResponse().getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "HTTP " + status : type.getReasonPhrase();
        Response.ResponseBuilder response = response(new Problem("about:blank", title, status, e.getMessage(), path(uri), List.of()));
        e.getResponse().getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                values.forEach(v -> response.header(name, v));
            }
        });
        return response.build();
    }

    /** Two clients changed the same row at once: the later one's version check failed and nothing of it was stored. */
    @ServerExceptionMapper({ OptimisticLockException.class, StaleStateException.class })
    public Response concurrentChange(RuntimeException e, UriInfo uri) {
        LOG.infof("Concurrent change of %s: the later one was refused (%s)", path(uri), e.getMessage());
        return response(new Problem("urn:bookmarket:problem:concurrent-change", "Changed concurrently", 409,
                "Someone else changed this at the same time; read it again and retry.", path(uri), List.of())).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        if (Infrastructure.outcomeUnknown(e)) {
            // The connection broke during COMMIT: the database may have stored the change; saying "nothing changed" would be a lie.
            LOG.warnf("Database connection lost while committing %s; the change may or may not be stored: %s", path(uri), e.getMessage());
            return response(new Problem("urn:bookmarket:problem:outcome-unknown", "Service temporarily unavailable", 503,
                    "The connection to the database was lost while the change was being saved, so it may or may not have "
                            + "been stored. Read it back before retrying; where an Idempotency-Key is accepted, a retry with the "
                            + "same key is safe.", path(uri), List.of()))
                    .header("Retry-After", "5").build();
        }
        if (Infrastructure.unavailable(e)) {
            // The database is down or restarting: a clear, retryable answer rather than a 500 (nothing was stored).
            LOG.warnf("Database unavailable while handling %s: %s", path(uri), e.getMessage());
            return response(new Problem("urn:bookmarket:problem:service-unavailable", "Service temporarily unavailable", 503,
                    "The service's database cannot be reached just now; nothing was changed. Retry later.", path(uri), List.of()))
                    .header("Retry-After", "5").build();
        }
        LOG.errorf(e, "Unexpected failure handling %s", path(uri));
        return response(new Problem("about:blank", "Internal Server Error", 500,
                "The request failed unexpectedly; it has been logged.", path(uri), List.of())).build();
    }

    public static Response.ResponseBuilder response(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
    }

    /** "create.request.bookNm" becomes "bookNm": the client knows the body, not our method names. */
    private static String field(ConstraintViolation<?> violation) {
        String path = violation.getPropertyPath().toString();
        String[] parts = path.split("\\.");
        return parts.length > 2 ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length)) : parts[parts.length - 1];
    }

    private static String jsonPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    public static String path(UriInfo uri) {
        return uri == null ? null : "/" + uri.getPath().replaceFirst("^/", "");
    }
}
