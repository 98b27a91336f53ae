package io.bookmarket.approval.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bookmarket.support.problem.ProblemMappers;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Quarkus REST wraps Jackson's parse error of an unreadable body in a plain 400 WebApplicationException, which the
 * shared mappers render as a generic "Bad Request". Unwrapping it tells the client the JSON is malformed and where.
 * (Module-local workaround, as in regrequest-service; belongs in service-support.)
 */
public class MalformedJsonMapper {

    private final ProblemMappers problems = new ProblemMappers();

    @ServerExceptionMapper(priority = Priorities.USER - 100)
    public Response web(WebApplicationException e, UriInfo uri) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException json) {
                return problems.malformed(json, uri);
            }
        }
        return problems.web(e, uri);
    }
}
