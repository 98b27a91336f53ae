package io.bookmarket.regrequest.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * approval-service's review queue. Only {@link ApprovalReview} may call it: that is where the fault tolerance is.
 * Every call carries this service's own access token (client credentials, role review-opener; see quarkus.oidc-client.*
 * in application.properties, and {@link ApprovalTokenFilter}); when no token can be had the call fails like an
 * unreachable approval-service.
 */
@RegisterRestClient(configKey = "approval")
@RegisterProvider(ApprovalTokenFilter.class)
@Path("/approves")
interface ApprovalApi {

    /** Opens the review ticket of a request; idempotent (one ticket per reqReqId): 201 the first time, then 200. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    ApprovalTicket open(TicketRequest request);

    record TicketRequest(long reqReqId, String appYn, long publId) {
    }
}
