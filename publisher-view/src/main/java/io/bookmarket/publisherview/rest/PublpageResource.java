package io.bookmarket.publisherview.rest;

import io.bookmarket.publisherview.domain.Publpage;
import io.bookmarket.support.problem.ProblemException;
import io.bookmarket.support.security.Caller;
import io.bookmarket.support.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.panache.common.Sort;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.OptionalLong;

/**
 * What publishers read: their requests and each one's status. Paths of the original's Spring Data REST view.
 * A publisher sees only its own rows (the token's publId): another publisher's row is answered as if it did not
 * exist, and asking for another publisher's list is 403. Reviewers and admins see every row.
 */
@Path("/publpages")
@RolesAllowed({ Roles.PUBLISHER, Roles.REVIEWER, Roles.ADMIN })
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "publpages", description = "Publishers' view of their registration requests (CQRS read model)")
public class PublpageResource {

    static final String ID = "[1-9][0-9]{0,17}";
    static final String ID_MESSAGE = "must be a positive whole number";
    static final String PROBLEM = "application/problem+json";

    static final String ROW_EXAMPLE = """
            {"reqId": 12, "publId": 100, "bookId": 99, "bookNm": "mybook", "regYn": "RegRequested", "appYn": "Approved",
             "status": "Approved", "approveId": 7, "createdAt": "2026-11-24T10:15:30.123456Z",
             "updatedAt": "2026-11-24T10:15:31.002345Z", "lastEventAt": "2026-11-24T10:15:30.950000Z"}""";
    static final String LIST_EXAMPLE = "[" + ROW_EXAMPLE + """
            ,
            {"reqId": 11, "publId": 100, "bookId": 98, "bookNm": "older book", "regYn": "ReqCanceled", "appYn": "AppCanceled",
             "status": "ReqCanceled", "approveId": 6, "createdAt": "2026-11-23T09:00:00.000001Z",
             "updatedAt": "2026-11-23T09:05:00.000001Z", "lastEventAt": "2026-11-23T09:04:59.900000Z"}]""";
    static final String BAD_REQUEST_EXAMPLE = """
            {"type": "urn:bookmarket:problem:invalid-request", "title": "Invalid request", "status": 400,
             "detail": "Invalid value for: size.", "instance": "/publpages",
             "errors": [{"field": "size", "message": "must be a whole number from 1 to 100"}]}""";
    static final String NOT_FOUND_EXAMPLE = """
            {"type": "urn:bookmarket:problem:not-found", "title": "Publpage not found", "status": 404,
             "detail": "There is no Publpage with id 4711.", "instance": "/publpages/4711", "errors": []}""";

    @Inject
    Caller caller;

    @GET
    @Operation(summary = "List requests, newest first",
            description = "A publisher's requests when publId is given, otherwise everyone's; newest (highest reqId) first. "
                    + "The total number of rows is in the X-Total-Count header. A publisher always gets its own rows only "
                    + "(publId, if given, must be its own).")
    @APIResponse(responseCode = "200", description = "One page of requests",
            headers = @Header(name = "X-Total-Count", description = "Rows matching, over all pages", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = PublpageView.class),
                    examples = @ExampleObject(name = "page", value = LIST_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "A parameter is not a valid number or out of range",
            content = @Content(mediaType = PROBLEM, examples = @ExampleObject(name = "bad size", value = BAD_REQUEST_EXAMPLE)))
    public Response list(
            @QueryParam("publId") @Pattern(regexp = ID, message = ID_MESSAGE)
            @Parameter(description = "Publisher id", example = "100", schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) String publId,
            @Valid @BeanParam PageParams paging) {
        Long publ = visiblePublisher(publId == null ? null : Long.parseLong(publId));
        PanacheQuery<Publpage> query = publ == null
                ? Publpage.findAll(Sort.descending("reqId"))
                : Publpage.find("publId", Sort.descending("reqId"), publ);
        return page(query, paging);
    }

    @GET
    @Path("/{reqId}")
    @Operation(summary = "One request's view")
    @APIResponse(responseCode = "200", description = "The request's view",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PublpageView.class),
                    examples = @ExampleObject(name = "approved", value = ROW_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "reqId is not a positive whole number", content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "404", description = "The view knows no request with this id (yet)",
            content = @Content(mediaType = PROBLEM, examples = @ExampleObject(name = "unknown", value = NOT_FOUND_EXAMPLE)))
    public PublpageView get(@PathParam("reqId") @Pattern(regexp = ID, message = ID_MESSAGE)
                            @Parameter(description = "Registration request id", example = "12", schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) String reqId) {
        Publpage page = Publpage.findById(Long.parseLong(reqId));
        OptionalLong own = caller.readScope();
        if (page == null || own.isPresent() && !Long.valueOf(own.getAsLong()).equals(page.publId)) {
            // Another publisher's row is answered exactly like a missing one.
            throw ProblemException.notFound("Publpage", reqId);
        }
        return PublpageView.of(page);
    }

    @GET
    @Path("/search/findByReqId")
    @Operation(summary = "Find by request id (the original's query path)",
            description = "An array with the request's view, or an empty array.")
    @APIResponse(responseCode = "200", description = "Zero or one row",
            headers = @Header(name = "X-Total-Count", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = PublpageView.class),
                    examples = @ExampleObject(name = "found", value = "[" + ROW_EXAMPLE + "]")))
    @APIResponse(responseCode = "400", description = "reqId missing or not a positive whole number, or bad paging",
            content = @Content(mediaType = PROBLEM, examples = @ExampleObject(name = "bad size", value = BAD_REQUEST_EXAMPLE)))
    public Response findByReqId(
            @QueryParam("reqId") @NotNull(message = "is required") @Pattern(regexp = ID, message = ID_MESSAGE)
            @Parameter(description = "Registration request id", required = true, example = "12", schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) String reqId,
            @Valid @BeanParam PageParams paging) {
        OptionalLong own = caller.readScope();
        return page(own.isPresent()
                ? Publpage.find("reqId = ?1 and publId = ?2", Sort.descending("reqId"), Long.parseLong(reqId), own.getAsLong())
                : Publpage.find("reqId", Sort.descending("reqId"), Long.parseLong(reqId)), paging);
    }

    @GET
    @Path("/search/findByPublId")
    @Operation(summary = "A publisher's requests, newest first (the original's query path)")
    @APIResponse(responseCode = "200", description = "One page of the publisher's requests",
            headers = @Header(name = "X-Total-Count", description = "Rows matching, over all pages", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = PublpageView.class),
                    examples = @ExampleObject(name = "page", value = LIST_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "publId missing or not a positive whole number, or bad paging",
            content = @Content(mediaType = PROBLEM, examples = @ExampleObject(name = "bad size", value = BAD_REQUEST_EXAMPLE)))
    public Response findByPublId(
            @QueryParam("publId") @NotNull(message = "is required") @Pattern(regexp = ID, message = ID_MESSAGE)
            @Parameter(description = "Publisher id", required = true, example = "100", schema = @Schema(type = SchemaType.INTEGER, minimum = "1")) String publId,
            @Valid @BeanParam PageParams paging) {
        return page(Publpage.find("publId", Sort.descending("reqId"), visiblePublisher(Long.parseLong(publId))), paging);
    }

    /**
     * The publisher whose rows to list: as asked (null = everyone's) for reviewers; for a publisher its own.
     *
     * @throws ProblemException 403 when a publisher asks for another publisher's rows
     */
    private Long visiblePublisher(Long asked) {
        OptionalLong own = caller.readScope();
        if (own.isEmpty()) {
            return asked;
        }
        if (asked != null && asked != own.getAsLong()) {
            throw new ProblemException(403, "forbidden", "Forbidden",
                    "A publisher reads only its own requests (publId " + own.getAsLong() + ").");
        }
        return own.getAsLong();
    }

    private static Response page(PanacheQuery<Publpage> query, PageParams paging) {
        List<PublpageView> rows = query.page(paging.page(), paging.size()).list().stream().map(PublpageView::of).toList();
        return Response.ok(rows).header("X-Total-Count", query.count()).build();
    }
}
