package io.bookmarket.regrequest.rest;

import io.bookmarket.regrequest.service.NewRegRequest;
import io.bookmarket.regrequest.service.RegRequestService;
import io.bookmarket.regrequest.service.RegRequestView;
import io.bookmarket.support.problem.Problem;
import io.bookmarket.support.problem.ProblemException;
import io.bookmarket.support.rest.Paging;
import io.bookmarket.support.security.Caller;
import io.bookmarket.support.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
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
import org.jboss.resteasy.reactive.RestHeader;

import java.util.OptionalLong;

import static io.bookmarket.support.rest.QueryParams.blank;
import static io.bookmarket.support.rest.QueryParams.number;

/**
 * Registration requests, as the original's clients call them (also on /regrequests, see {@link LowerCasePath}).
 * A publisher files, reads, lists and cancels only its own requests (its publId is the token's); reviewers and admins
 * read all of them but file and cancel nothing.
 */
@Path("/regRequests")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Registration requests", description = "Publishers file and cancel requests to register a new book")
public class RegRequestResource {

    static final int MAX_SIZE = 100;

    private static final String REQUEST = """
            {"id": 12, "bookId": 99, "bookNm": "mybook", "publId": 100, "regYn": "RegRequested",
             "createdAt": "2026-11-24T09:15:30.123456Z", "updatedAt": "2026-11-24T09:15:30.123456Z"}""";
    private static final String CANCELED = """
            {"id": 12, "bookId": 99, "bookNm": "mybook", "publId": 100, "regYn": "ReqCanceled",
             "createdAt": "2026-11-24T09:15:30.123456Z", "updatedAt": "2026-11-24T09:20:02.000001Z"}""";
    private static final String UNAVAILABLE = """
            {"type": "urn:bookmarket:problem:review-unavailable", "title": "Review service unavailable", "status": 503,
             "detail": "The review service is unavailable, so the request was not filed. Please retry later (in about 10 seconds).",
             "instance": "/regRequests"}""";
    private static final String INVALID = """
            {"type": "urn:bookmarket:problem:invalid-request", "title": "Invalid request", "status": 400,
             "detail": "Invalid value for: bookNm.", "instance": "/regRequests",
             "errors": [{"field": "bookNm", "message": "must not be blank"}]}""";
    private static final String NOT_FOUND = """
            {"type": "urn:bookmarket:problem:not-found", "title": "registration request not found", "status": 404,
             "detail": "There is no registration request with id 12.", "instance": "/regRequests/12"}""";
    private static final String CONFLICT = """
            {"type": "urn:bookmarket:problem:invalid-transition", "title": "Not allowed in the current state", "status": 409,
             "detail": "Request 12 is Rejected: its review is over, it can no longer be cancelled.", "instance": "/regRequests/12"}""";

    private static final String FORBIDDEN = """
            {"type": "urn:bookmarket:problem:forbidden", "title": "Forbidden", "status": 403,
             "detail": "publId 200 is not the publisher of the access token (100).", "instance": "/regRequests"}""";

    @Inject
    RegRequestService service;

    @Inject
    Caller caller;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.PUBLISHER)
    @Operation(summary = "File a registration request",
            description = "Opens the review at approval-service synchronously; the request is stored (and RegRequested "
                    + "published) only once the review is open. A client-sent regYn is ignored. Role publisher; publId "
                    + "must be the token's publId. Idempotency-Keys are per publisher.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = NewRegRequest.class), examples = {
            @ExampleObject(name = "numbers", value = "{\"bookId\": 99, \"bookNm\": \"mybook\", \"publId\": 100}"),
            @ExampleObject(name = "the original's load test", value = "{\"bookId\": \"10\", \"bookNm\": \"mybooks\", \"regYn\": \"Y\", \"publId\": \"11\"}") }))
    @APIResponse(responseCode = "201", description = "Filed; the review is open",
            headers = @Header(name = "Location", description = "The request's URL", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RegRequestView.class),
                    examples = @ExampleObject(name = "filed", value = REQUEST)))
    @APIResponse(responseCode = "400", description = "Malformed JSON, wrong type, missing or invalid field (named in errors)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "blank name", value = INVALID)))
    @APIResponse(responseCode = "403", description = "Not a publisher, or publId is not the token's",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "another publisher's id", value = FORBIDDEN)))
    @APIResponse(responseCode = "422", description = "Idempotency-Key already used with a different body",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "approval-service is down, too slow or failing (circuit breaker open), "
            + "or too many requests are already waiting to be filed (type urn:bookmarket:problem:busy): nothing was stored",
            headers = @Header(name = "Retry-After", description = "Seconds to wait before retrying", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "review unavailable", value = UNAVAILABLE)))
    public Response file(
            @Parameter(description = "Makes retries safe: the same key with the same body returns the first answer and files nothing new",
                    example = "3f1c9a2e-5b7d-4e0a-9c1b-2d4e6f8a0b1c")
            @RestHeader("Idempotency-Key") String idempotencyKey,
            @Valid @NotNull NewRegRequest body,
            UriInfo uri) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw new ProblemException(400, "invalid-request", "Invalid request",
                    "The Idempotency-Key header must be 1 to 255 characters.");
        }
        long publId = caller.publId();
        if (body.publId() != publId) {
            throw forbidden("publId " + body.publId() + " is not the publisher of the access token (" + publId + ").");
        }
        RegRequestView filed = service.file(body, idempotencyKey);
        return Response.created(location(uri, filed.id())).entity(filed).build();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({ Roles.PUBLISHER, Roles.REVIEWER, Roles.ADMIN })
    @Operation(summary = "Read a registration request",
            description = "A publisher reads only its own requests: another publisher's is answered 404, like one that does not exist.")
    @APIResponse(responseCode = "200", description = "The request and its status",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RegRequestView.class),
                    examples = @ExampleObject(name = "awaiting review", value = REQUEST)))
    @APIResponse(responseCode = "404", description = "No such request (or another publisher's)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown", value = NOT_FOUND)))
    public RegRequestView get(@PathParam("id") long id) {
        return service.find(id, caller.readScope());
    }

    @GET
    @RolesAllowed({ Roles.PUBLISHER, Roles.REVIEWER, Roles.ADMIN })
    @Operation(summary = "List registration requests, newest first",
            description = "A plain JSON array (as the original answered); X-Total-Count and Link headers give the paging. "
                    + "A publisher lists only its own requests (publId, if given, must be its own: another is 403); "
                    + "reviewers list everyone's or, with publId, one publisher's.")
    @APIResponse(responseCode = "200", description = "One page of requests",
            headers = {
                    @Header(name = "X-Total-Count", description = "How many requests match", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "Link", description = "RFC 8288 links: first, prev, next, last", schema = @Schema(type = SchemaType.STRING)) },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = RegRequestView.class),
                    examples = @ExampleObject(name = "one request", value = "[" + REQUEST + "]")))
    @APIResponse(responseCode = "400", description = "page, size or publId is not valid",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "A publisher asked for another publisher's requests",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response list(
            @Parameter(description = "Only this publisher's requests", example = "100") @QueryParam("publId") String publId,
            @Parameter(description = "Page number, from 0", example = "0") @QueryParam("page") String page,
            @Parameter(description = "Page size, 1 to 100 (default 20)", example = "20") @QueryParam("size") String size,
            UriInfo uri) {
        // Parsed here rather than by JAX-RS, which answers an unparseable query parameter with 404.
        Long publ = blank(publId) ? null : number("publId", publId, 1, Long.MAX_VALUE);
        OptionalLong own = caller.readScope();
        if (own.isPresent()) {
            if (publ != null && publ != own.getAsLong()) {
                throw forbidden("A publisher lists only its own requests (publId " + own.getAsLong() + ").");
            }
            publ = own.getAsLong();
        }
        Paging paging = Paging.of(page, size, MAX_SIZE);
        RegRequestService.Page result = service.list(publ, paging.page(), paging.size());
        return paging.response(result.items(), result.total(), uri);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.PUBLISHER)
    @Operation(summary = "Cancel a registration request",
            description = "The request stays, with regYn ReqCanceled, and ReqCanceled is published so approval-service "
                    + "cancels the review (even if it is down now: it catches up). Repeating is harmless. Role publisher, "
                    + "own requests only: another publisher's is answered 404, like one that does not exist.")
    @APIResponse(responseCode = "200", description = "Cancelled (also when it already was)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RegRequestView.class),
                    examples = @ExampleObject(name = "cancelled", value = CANCELED)))
    @APIResponse(responseCode = "404", description = "No such request",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown", value = NOT_FOUND)))
    @APIResponse(responseCode = "409", description = "The request was rejected or its review cancelled: nothing left to cancel",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "rejected", value = CONFLICT)))
    public RegRequestView cancel(@PathParam("id") long id) {
        return service.cancel(id, caller.publId());
    }

    private static ProblemException forbidden(String detail) {
        return new ProblemException(403, "forbidden", "Forbidden", detail);
    }

    private static java.net.URI location(UriInfo uri, long id) {
        return uri.getBaseUriBuilder().path(RegRequestResource.class).path(Long.toString(id)).build();
    }

}
