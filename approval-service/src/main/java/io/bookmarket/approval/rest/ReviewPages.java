package io.bookmarket.approval.rest;

import io.bookmarket.approval.domain.AppYn;
import io.bookmarket.approval.service.ApproveService;
import io.bookmarket.approval.service.ApproveView;
import io.bookmarket.support.problem.ProblemException;
import io.bookmarket.support.security.Roles;
import io.bookmarket.support.ui.PagesConfig;
import io.bookmarket.support.ui.ProblemPages;
import io.quarkus.qute.TemplateExtension;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
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
import org.hibernate.StaleStateException;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.util.Locale;

/**
 * The reviewers' page: pending reviews (newest first, paged) with Approve and Reject, and the decided ones. Signed in
 * with the authorization code flow (tenant "web", see application.properties); reviewers and admins only. Plain HTML
 * forms: a decision is a POST answered with a redirect to the queue, so a reload never decides twice.
 */
@Path("/ui/reviews")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({ Roles.REVIEWER, Roles.ADMIN })
public class ReviewPages {

    static final int PAGE_SIZE = 20;

    @Inject
    ApproveService service;

    @Inject
    SecurityIdentity identity;

    @Inject
    ProblemPages problems;

    /** Not read here: injecting it makes the start check it, so a production start without the secret fails at once. */
    @Inject
    PagesConfig pagesConfig;

    /** {@code templates/ReviewPages/queue.html}. */
    record queue(String user, ApproveService.Page pending, Paging pendingPages, ApproveService.Page decided,
            Paging decidedPages, Notice notice) implements TemplateInstance {
    }

    /** Which page of a list is shown, and the links to its neighbours (null where there is none). */
    public record Paging(int page, int pages, String previous, String next) {

        static Paging of(String param, int page, long total, int otherPage, String otherParam) {
            int pages = (int) Math.max(1, (total + PAGE_SIZE - 1) / PAGE_SIZE);
            String base = "/ui/reviews?" + otherParam + "=" + otherPage + "&" + param + "=";
            return new Paging(page, pages, page > 0 ? base + (page - 1) : null, page + 1 < pages ? base + (page + 1) : null);
        }
    }

    /** A line above the lists: what the last decision did, or why it did not. */
    public record Notice(String text, boolean error) {
    }

    @GET
    public TemplateInstance queue(@QueryParam("page") String page, @QueryParam("decidedPage") String decidedPage,
            @QueryParam("decided") String decided) {
        return render(number(page), number(decidedPage), decidedNotice(number(decided)));
    }

    @POST
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@PathParam("id") long id, @RestForm String decision, @RestForm String page) {
        AppYn target = switch (decision == null ? "" : decision) {
            case "Approved" -> AppYn.Approved;
            case "Rejected" -> AppYn.Rejected;
            default -> throw new ProblemException(400, "invalid-request", "Invalid request",
                    "Choose Approve or Reject for the review.");
        };
        try {
            service.decide(id, target);
        } catch (ProblemException e) {
            if (e.status() != 409) {
                throw e;
            }
            return Response.status(409).entity(render(number(page), null, new Notice(lostRace(id, target, e), true))).build();
        } catch (OptimisticLockException | StaleStateException e) {
            ApproveView now = service.find(id);
            return Response.status(409).entity(render(number(page), null, new Notice("Someone else decided request "
                    + now.reqReqId() + " (" + book(now) + ") at the same moment: it is " + lower(now.appYn())
                    + ". Your decision was not saved.", true))).build();
        }
        int p = number(page) == null ? 0 : number(page).intValue();
        return Response.seeOther(URI.create("/ui/reviews?page=" + p + "&decided=" + id)).build();
    }

    /** Every failure of these pages (a 403 for a publisher included) as a page in words, never JSON. */
    @ServerExceptionMapper
    Response failed(RuntimeException e, UriInfo uri) {
        return problems.render(e, uri);
    }

    private queue render(Long page, Long decidedPage, Notice notice) {
        int p = page == null ? 0 : page.intValue();
        int d = decidedPage == null ? 0 : decidedPage.intValue();
        ApproveService.Page pending = service.pending(p, PAGE_SIZE);
        ApproveService.Page decided = service.decided(d, PAGE_SIZE);
        return new queue(identity.getPrincipal().getName(), pending, Paging.of("page", p, pending.total(), d, "decidedPage"),
                decided, Paging.of("decidedPage", d, decided.total(), p, "page"), notice);
    }

    /** After the redirect: what the decision did (the review's state now; nothing when the link names no review). */
    private Notice decidedNotice(Long id) {
        ApproveView ticket = id == null ? null : service.findOrNull(id);
        return ticket == null ? null
                : new Notice("Request " + ticket.reqReqId() + " (" + book(ticket) + ") is now " + lower(ticket.appYn()) + ".", false);
    }

    /** A 409 in words: above all the race a reviewer can lose, the publisher's cancel arriving first. */
    private String lostRace(long id, AppYn target, ProblemException e) {
        ApproveView now = service.find(id);
        if (now.appYn() == AppYn.AppCanceled) {
            return "Request " + now.reqReqId() + " (" + book(now) + ") was cancelled before your decision, so it cannot be "
                    + lower(target) + " any more. Nothing was changed.";
        }
        return e.getMessage();
    }

    /** A status in words, also for the template ({@code {review.appYn.words}}). */
    @TemplateExtension
    static String words(AppYn status) {
        return switch (status) {
            case RegRequested -> "Pending";
            case Approved -> "Approved";
            case Rejected -> "Rejected";
            case AppCanceled -> "Cancelled";
        };
    }

    /** The status inside a sentence. */
    private static String lower(AppYn status) {
        return words(status).toLowerCase(Locale.ROOT);
    }

    private static String book(ApproveView ticket) {
        return ticket.bookNm() == null ? "book unknown" : "\u201C" + ticket.bookNm() + "\u201D";
    }

    /** Page numbers and ids from links: anything but a small whole number means "none". */
    private static Long number(String text) {
        if (text == null || text.isEmpty() || text.length() > 9 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.valueOf(text);
    }
}
