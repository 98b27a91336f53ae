package io.bookmarket.approval.rest;

import io.bookmarket.support.problem.Problem;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/**
 * Two reviewers changed the same ticket at once: the second one's version check failed and nothing of it was
 * stored (no event either). A 409 the client can act on, never a 500. (The shared mappers have no case for it.)
 */
public class ConcurrentChangeMapper {

    private static final Logger LOG = Logger.getLogger(ConcurrentChangeMapper.class);

    @ServerExceptionMapper({ OptimisticLockException.class, StaleStateException.class })
    public Response concurrentChange(RuntimeException e, UriInfo uri) {
        LOG.infof("Concurrent change of %s: the later one was refused (%s)", uri.getPath(), e.getMessage());
        return Response.status(409).type(Problem.MEDIA_TYPE).entity(new Problem("urn:bookmarket:problem:concurrent-change",
                "Changed concurrently", 409, "The review was changed by someone else at the same time; read it again and retry.",
                "/" + uri.getPath().replaceFirst("^/", ""), List.of())).build();
    }
}
