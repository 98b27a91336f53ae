package io.bookmarket.regrequest.rest;

import io.bookmarket.regrequest.domain.RegYn;
import io.bookmarket.regrequest.service.NewRegRequest;
import io.bookmarket.regrequest.service.RegRequestService;
import io.bookmarket.regrequest.service.RegRequestView;
import io.bookmarket.support.problem.ProblemException;
import io.bookmarket.support.security.Caller;
import io.bookmarket.support.security.Roles;
import io.bookmarket.support.ui.PagesConfig;
import io.bookmarket.support.ui.ProblemPages;
import io.quarkus.qute.TemplateExtension;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The publisher's page: its own requests with their status in words, a form to file one and a Cancel button on those
 * that can still be cancelled. Served here rather than by publisher-view because filing and cancelling are this
 * service's, and its own table answers at once: after "file, then redirect" the new request is on the page, where the
 * read model might not have it yet. The status list refreshes itself every few seconds (htmx) and by reload without
 * JavaScript. Signed in with the authorization code flow (tenant "web"); publishers only. The publisher is the token's,
 * never a form field.
 */
@Path("/ui/requests")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.PUBLISHER)
public class RequestPages {

    static final int PAGE_SIZE = 20;

    @Inject
    RegRequestService service;

    @Inject
    Caller caller;

    @Inject
    Validator validator;

    @Inject
    ProblemPages problems;

    /** Not read here: injecting it makes the start check it, so a production start without the secret fails at once. */
    @Inject
    PagesConfig pagesConfig;

    /** {@code templates/RequestPages/requests.html}: the whole page. */
    record requests(String user, Rows rows, Form form, Notice notice) implements TemplateInstance {
    }

    /** {@code templates/RequestPages/rows.html}: the list alone, which the page polls. */
    record rows(Rows rows) implements TemplateInstance {
    }

    /** One page of the publisher's requests, newest first. */
    public record Rows(RegRequestService.Page requests, int page, int pages) {

        public String previous() {
            return page > 0 ? "/ui/requests?page=" + (page - 1) : null;
        }

        public String next() {
            return page + 1 < pages ? "/ui/requests?page=" + (page + 1) : null;
        }
    }

    /**
     * The filing form as it is shown: the values typed (kept after a refusal), an error per field, and a fresh
     * Idempotency-Key, so a form sent twice (a double click, a reload of the answer) files one request.
     */
    public record Form(String bookId, String bookNm, String bookIdError, String bookNmError, String key) {

        static Form empty() {
            return new Form("", "", null, null, UUID.randomUUID().toString());
        }
    }

    /** A line above the list: what the last action did, or why it did not. */
    public record Notice(String text, boolean error) {
    }

    @GET
    public TemplateInstance page(@QueryParam("page") String page, @QueryParam("filed") String filed,
            @QueryParam("cancelled") String cancelled) {
        Notice notice = null;
        Long id = number(filed);
        if (id != null) {
            notice = notice(id, "Request %d for \u201C%s\u201D is filed and waits for review.");
        } else if ((id = number(cancelled)) != null) {
            notice = notice(id, "Request %d for \u201C%s\u201D is cancelled.");
        }
        return new requests(caller.name(), listing(number(page)), Form.empty(), notice);
    }

    @GET
    @Path("/rows")
    public TemplateInstance list(@QueryParam("page") String page) {
        return new rows(listing(number(page)));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response file(@RestForm String bookId, @RestForm String bookNm, @RestForm String key) {
        long publId = caller.publId();
        Long book = number(bookId == null ? null : bookId.trim());
        NewRegRequest request = new NewRegRequest(book, bookNm == null ? null : bookNm.trim(), publId);
        // The API's own rules (NewRegRequest's constraints), each told next to its field.
        Set<String> invalid = validator.validate(request).stream().map(v -> v.getPropertyPath().toString())
                .collect(Collectors.toSet());
        String idempotencyKey = key == null || key.isBlank() || key.length() > 64 ? UUID.randomUUID().toString() : key;
        Form typed = new Form(bookId == null ? "" : bookId, bookNm == null ? "" : bookNm,
                invalid.contains("bookId") ? "Enter the book id: a whole number from 1." : null,
                invalid.contains("bookNm") ? "Enter the name of the book: 1 to 200 characters." : null, idempotencyKey);
        if (!invalid.isEmpty()) {
            return Response.status(400).entity(new requests(caller.name(), listing(null), typed,
                    new Notice("The request was not filed: correct the fields marked below.", true))).build();
        }
        try {
            RegRequestView filed = file(request, idempotencyKey);
            return Response.seeOther(URI.create("/ui/requests?filed=" + filed.id())).build();
        } catch (ProblemException e) {
            if (e.status() != 503) {
                throw e;
            }
            // Not filed, nothing stored: the same values again, with when to retry.
            String retryAfter = e.headers().getOrDefault("Retry-After", "10");
            return Response.status(503).header("Retry-After", retryAfter).entity(new requests(caller.name(), listing(null), typed,
                    new Notice("The review could not be opened, so the request was not filed. Try again in " + retryAfter
                            + " s.", true))).build();
        }
    }

    /**
     * The form's key makes a form sent twice one request. A key already used with other values is a form that was
     * changed and sent again (after going back, say): a new request, so a new key.
     */
    private RegRequestView file(NewRegRequest request, String key) {
        try {
            return service.file(request, key);
        } catch (ProblemException e) {
            if (!"idempotency-key-reused".equals(e.slug())) {
                throw e;
            }
            return service.file(request, UUID.randomUUID().toString());
        }
    }

    @POST
    @Path("/{id}/cancel")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response cancel(@PathParam("id") long id) {
        try {
            service.cancel(id, caller.publId());
        } catch (ProblemException e) {
            if (e.status() != 409) {
                throw e;
            }
            RegRequestView now = service.find(id, OptionalLong.of(caller.publId()));
            return Response.status(409).entity(new requests(caller.name(), listing(null), Form.empty(), new Notice("Request "
                    + id + " for \u201C" + now.bookNm() + "\u201D is " + words(now.regYn()).toLowerCase(Locale.ROOT)
                    + ": it can no longer be cancelled.", true))).build();
        }
        return Response.seeOther(URI.create("/ui/requests?cancelled=" + id)).build();
    }

    /** Every failure of these pages (a 403 for a reviewer included) as a page in words, never JSON. */
    @ServerExceptionMapper
    Response failed(RuntimeException e, UriInfo uri) {
        return problems.render(e, uri);
    }

    /** A status in words, also for the templates ({@code {request.regYn.words}}). */
    @TemplateExtension
    static String words(RegYn status) {
        return switch (status) {
            case RegRequested -> "Waiting for review";
            case Approved -> "Approved";
            case Rejected -> "Rejected";
            case ReqCanceled -> "Cancelled by you";
            case AppCanceled -> "Cancelled by the product team";
        };
    }

    /** Whether the Cancel button is shown ({@code {#if request.regYn.cancellable}}). */
    @TemplateExtension
    static boolean cancellable(RegYn status) {
        return status.canBecome(RegYn.ReqCanceled);
    }

    private Rows listing(Long page) {
        int p = page == null ? 0 : page.intValue();
        RegRequestService.Page requests = service.list(caller.publId(), p, PAGE_SIZE);
        return new Rows(requests, p, (int) Math.max(1, (requests.total() + PAGE_SIZE - 1) / PAGE_SIZE));
    }

    /** After the redirect: the request's own data, or nothing when the link names no request of this publisher. */
    private Notice notice(long id, String text) {
        try {
            RegRequestView request = service.find(id, OptionalLong.of(caller.publId()));
            return new Notice(String.format(text, request.id(), request.bookNm()), false);
        } catch (ProblemException e) {
            return null;
        }
    }

    /** Numbers from links and fields: anything but a whole number of at most 18 digits means "none". */
    private static Long number(String text) {
        if (text == null || text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return Long.valueOf(text);
    }
}
