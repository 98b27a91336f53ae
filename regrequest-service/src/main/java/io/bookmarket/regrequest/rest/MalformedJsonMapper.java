package io.bookmarket.regrequest.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.bookmarket.support.problem.ProblemMappers;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Quarkus REST reports unparseable JSON as a plain 400 WebApplicationException wrapping Jackson's parse error, which
 * the shared mappers render as a generic "Bad Request": unwrap it so the client reads "Malformed JSON" and where.
 * (Workaround kept in this module; the shared library could do the same.)
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
