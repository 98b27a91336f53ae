package io.bookmarket.support.ui;

import io.bookmarket.support.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Quarkus's CSRF filter refuses a page's form without its valid token with a bare 400 and no body: on the pages,
 * that answer says in words what happened (nothing changed) and what to do.
 */
public class RefusedForms {

    @Inject
    ProblemPages pages;

    @ServerResponseFilter
    public void explain(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() != 400 || response.hasEntity() || !"POST".equals(request.getMethod())
                || !request.getUriInfo().getPath().startsWith("/ui/")) {
            return;
        }
        Response page = pages.render(new ProblemException(400, "form-refused", "The form was not sent",
                "This form had expired or did not come from this site, so nothing was changed. Reload the page and send "
                        + "the form again."), request.getUriInfo());
        response.setEntity(page.getEntity(), null, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"));
    }
}
