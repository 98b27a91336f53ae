package io.bookmarket.regrequest.rest;

import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Book Market's start page ({@code /} through the gateway or the Ingress): what it is, and where publishers and the
 * product team sign in. Served by this service, the one kept most available; open to everyone.
 */
@Path("/")
public class LandingPage {

    /** {@code templates/LandingPage/landing.html}. */
    record landing() implements TemplateInstance {
    }

    @GET
    @PermitAll
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance landing() {
        return new landing();
    }
}
