package io.bookmarket.regrequest.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The original's load test called {@code /regrequests} (through its gateway): that path answers exactly like
 * {@code /regRequests}, for every method, by rewriting it before the resource is matched.
 */
public class LowerCasePath {

    private static final String ALIAS = "/regrequests";

    @ServerRequestFilter(preMatching = true)
    public void alias(ContainerRequestContext request) {
        String path = request.getUriInfo().getRequestUri().getRawPath();
        if (path.equals(ALIAS) || path.startsWith(ALIAS + "/")) {
            request.setRequestUri(request.getUriInfo().getRequestUriBuilder()
                    .replacePath("/regRequests" + path.substring(ALIAS.length())).build());
        }
    }
}
