package io.bookmarket.approval.rest;

import io.bookmarket.approval.domain.AppYn;
import io.bookmarket.approval.domain.Approve;
import io.bookmarket.approval.service.ApproveService;
import io.bookmarket.approval.service.ApproveView;
import io.bookmarket.approval.service.Decision;
import io.bookmarket.approval.service.NewApprove;
import io.bookmarket.support.problem.Problem;
import io.bookmarket.support.rest.Paging;
import io.bookmarket.support.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Locale;

import static io.bookmarket.support.rest.QueryParams.blank;
import static io.bookmarket.support.rest.QueryParams.invalid;
import static io.bookmarket.support.rest.QueryParams.number;

/**
 * The review tickets (the product team's queue), as the original's clients call them. Tickets are opened only by
 * regrequest-service (its client-credentials token has role review-opener); reviewers and admins read and decide them;
 * publishers have no access here (they follow their requests at regrequest-service and publisher-view).
 */
@Path("/approves")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Reviews", description = "The product team reviews registration requests: approve, reject or cancel")
public class ApproveResource {

    static final int MAX_SIZE = 100;
    static final String MERGE_PATCH = "application/merge-patch+json";

    private static final String PENDING = """
            {"id": 7, "reqReqId": 12, "publId": 1002, "appYn": "RegRequested", "confirmed": false,
             "createdAt": "2026-11-24T09:15:30.123456Z", "decidedAt": null}""";
    private static final String QUEUED = """
            {"id": 7, "reqReqId": 12, "publId": 1002, "appYn": "RegRequested", "confirmed": true,
             "createdAt": "2026-11-24T09:15:30.123456Z", "decidedAt": null}""";
    private static final String APPROVED = """
            {"id": 7, "reqReqId": 12, "publId": 1002, "appYn": "Approved", "confirmed": true,
             "createdAt": "2026-11-24T09:15:30.123456Z", "decidedAt": "2026-11-24T09:20:02.000001Z"}""";
    private static final String INVALID = """
            {"type": "urn:bookmarket:problem:invalid-request", "title": "Invalid request", "status": 400,
             "detail": "Invalid value for: reqReqId.", "instance": "/approves",
             "errors": [{"field": "reqReqId", "message": "must be greater than 0"}]}""";
    private static final String BAD_DECISION = """
            {"type": "urn:bookmarket:problem:invalid-request", "title": "Invalid request", "status": 400,
             "detail": "Invalid value for: appYn.", "instance": "/approves/7",
             "errors": [{"field": "appYn", "message": "must be Approved, Rejected, AppCanceled, Y or N"}]}""";
    private static final String NOT_FOUND = """
            {"type": "urn:bookmarket:problem:not-found", "title": "review not found", "status": 404,
             "detail": "There is no review with id 7.", "instance": "/approves/7"}""";
    private static final String INVALID_TRANSITION = """
            {"type": "urn:bookmarket:problem:invalid-transition", "title": "Not allowed in the current state", "status": 409,
             "detail": "Review 7 is Rejected and cannot become Approved: Rejected is final.", "instance": "/approves/7"}""";
    private static final String NOT_CONFIRMED = """
            {"type": "urn:bookmarket:problem:not-confirmed", "title": "Review not yet confirmed", "status": 409,
             "detail": "Review 7 is not yet confirmed: request 12 has not been stored by regrequest-service (yet), so it cannot be decided.",
             "instance": "/approves/7"}""";
    private static final String CONCURRENT = """
            {"type": "urn:bookmarket:problem:concurrent-change", "title": "Changed concurrently", "status": 409,
             "detail": "The review was changed by someone else at the same time; read it again and retry.", "instance": "/approves/7"}""";

    @Inject
    ApproveService service;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.REVIEW_OPENER)
    @Operation(summary = "Open the review of a registration request",
            description = "Called by regrequest-service before it stores the request. One ticket per reqReqId: repeating the "
                    + "call returns the existing ticket (200) and changes nothing. New tickets are pending and unconfirmed "
                    + "(a client-sent appYn is ignored); the request's RegRequested event confirms them, and tickets not "
                    + "confirmed within approve.unconfirmed-ttl are deleted. Field names match case-insensitively. "
                    + "Role review-opener (regrequest-service's own token) only.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = NewApprove.class), examples = {
            @ExampleObject(name = "regrequest-service", value = "{\"reqReqId\": 12, \"appYn\": \"RegRequested\", \"publId\": 1002}"),
            @ExampleObject(name = "the original's load test", value = "{\"reqReqId\": \"10\", \"appYN\": \"Y\", \"publId\": \"1002\"}") }))
    @APIResponse(responseCode = "201", description = "Ticket opened (pending, unconfirmed)",
            headers = @Header(name = "Location", description = "The ticket's URL", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApproveView.class),
                    examples = @ExampleObject(name = "opened", value = PENDING)))
    @APIResponse(responseCode = "200", description = "The request already has a ticket: returned unchanged",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApproveView.class),
                    examples = @ExampleObject(name = "existing", value = QUEUED)))
    @APIResponse(responseCode = "400", description = "Malformed JSON, wrong type, missing or invalid field (named in errors)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "negative id", value = INVALID)))
    public Response open(@Valid @NotNull NewApprove body, UriInfo uri) {
        ApproveService.Opened opened = service.open(body.reqReqId(), body.publId());
        if (!opened.created()) {
            return Response.ok(opened.ticket()).build();
        }
        return Response.created(uri.getBaseUriBuilder().path(ApproveResource.class).path(Long.toString(opened.ticket().id())).build())
                .entity(opened.ticket()).build();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({ Roles.REVIEWER, Roles.ADMIN })
    @Operation(summary = "Read a review ticket")
    @APIResponse(responseCode = "200", description = "The ticket",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApproveView.class),
                    examples = @ExampleObject(name = "approved", value = APPROVED)))
    @APIResponse(responseCode = "404", description = "No such ticket",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown", value = NOT_FOUND)))
    public ApproveView get(@PathParam("id") long id) {
        return service.find(id);
    }

    @GET
    @RolesAllowed({ Roles.REVIEWER, Roles.ADMIN })
    @Operation(summary = "The reviewers' queue, newest first",
            description = "By default only confirmed tickets (a ticket is confirmed once its request is stored); "
                    + "confirmed=false lists the unconfirmed ones (operators). A plain JSON array; X-Total-Count and Link "
                    + "headers give the paging.")
    @APIResponse(responseCode = "200", description = "One page of tickets",
            headers = {
                    @Header(name = "X-Total-Count", description = "How many tickets match", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "Link", description = "RFC 8288 links: first, prev, next, last", schema = @Schema(type = SchemaType.STRING)) },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = ApproveView.class),
                    examples = @ExampleObject(name = "one pending review", value = "[" + QUEUED + "]")))
    @APIResponse(responseCode = "400", description = "A filter, page or size is not valid",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response list(
            @Parameter(description = "Only tickets with this status: RegRequested (pending), Approved, Rejected, AppCanceled",
                    example = "RegRequested") @QueryParam("appYn") String appYn,
            @Parameter(description = "Only this publisher's tickets", example = "1002") @QueryParam("publId") String publId,
            @Parameter(description = "Only the ticket of this request", example = "12") @QueryParam("reqReqId") String reqReqId,
            @Parameter(description = "true (default): the queue; false: tickets whose request is not stored yet",
                    example = "true") @QueryParam("confirmed") String confirmed,
            @Parameter(description = "Page number, from 0", example = "0") @QueryParam("page") String page,
            @Parameter(description = "Page size, 1 to 100 (default 20)", example = "20") @QueryParam("size") String size,
            UriInfo uri) {
        // Parsed here rather than by JAX-RS, which answers an unparseable query parameter with 404.
        Approve.Filter filter = new Approve.Filter(
                blank(appYn) ? null : status(appYn),
                blank(publId) ? null : number("publId", publId, 1, Long.MAX_VALUE),
                blank(reqReqId) ? null : number("reqReqId", reqReqId, 1, Long.MAX_VALUE),
                blank(confirmed) ? Boolean.TRUE : bool("confirmed", confirmed));
        Paging paging = Paging.of(page, size, MAX_SIZE);
        ApproveService.Page result = service.list(filter, paging.page(), paging.size());
        return paging.response(result.items(), result.total(), uri);
    }

    @PATCH
    @Path("/{id}")
    @RolesAllowed({ Roles.REVIEWER, Roles.ADMIN })
    @Consumes({ MediaType.APPLICATION_JSON, MERGE_PATCH })
    @Operation(summary = "Decide a review: approve, reject or cancel",
            description = "RegRequested -> Approved | Rejected | AppCanceled; Approved -> AppCanceled; for reviewers Rejected "
                    + "and AppCanceled are final (the publisher's cancel still turns a Rejected review into AppCanceled, "
                    + "by event). Each change publishes exactly one event (Approved, Rejected, AppCanceled). "
                    + "Repeating the current status answers 200 and publishes nothing.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = Decision.class), examples = {
            @ExampleObject(name = "approve", value = "{\"appYn\": \"Approved\"}"),
            @ExampleObject(name = "reject", value = "{\"appYn\": \"Rejected\"}"),
            @ExampleObject(name = "cancel", value = "{\"appYn\": \"AppCanceled\"}"),
            @ExampleObject(name = "the original's Y", value = "{\"appYN\": \"Y\"}") }))
    @APIResponse(responseCode = "200", description = "Decided (or already in that status)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApproveView.class),
                    examples = @ExampleObject(name = "approved", value = APPROVED)))
    @APIResponse(responseCode = "400", description = "appYn missing or not a decision",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown decision", value = BAD_DECISION)))
    @APIResponse(responseCode = "404", description = "No such ticket",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown", value = NOT_FOUND)))
    @APIResponse(responseCode = "409", description = "Not allowed in the current status, not yet confirmed, or changed concurrently",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid transition", value = INVALID_TRANSITION),
                    @ExampleObject(name = "not yet confirmed", value = NOT_CONFIRMED),
                    @ExampleObject(name = "concurrent change", value = CONCURRENT) }))
    public ApproveView decide(@PathParam("id") long id, @Valid @NotNull Decision body) {
        return service.decide(id, body.target());
    }

    private static AppYn status(String text) {
        for (AppYn value : AppYn.values()) {
            if (value.name().equalsIgnoreCase(text.trim())) {
                return value;
            }
        }
        throw invalid("appYn", "must be RegRequested, Approved, Rejected or AppCanceled");
    }

    private static boolean bool(String name, String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(name, "must be true or false");
        };
    }

}
