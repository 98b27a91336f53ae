package io.bookmarket.support.ui;

import io.bookmarket.support.problem.Problem;
import io.bookmarket.support.problem.ProblemException;
import io.bookmarket.support.problem.ProblemMappers;
import io.bookmarket.support.security.AccessProblems;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.hibernate.StaleStateException;

/**
 * A failure on a page for people, as a page: the same status, title, detail and trace id the API would answer as
 * problem JSON (the same mappers decide them), rendered as HTML with the same Retry-After. The page resources send
 * every exception here, so a person never reads JSON, a stack trace or a bare status code.
 */
@ApplicationScoped
public class ProblemPages {

    private final ProblemMappers problems = new ProblemMappers();
    private final AccessProblems access = new AccessProblems();

    @Inject
    @Location("bookmarket-problem")
    Template page;

    public Response render(Throwable failure, UriInfo uri) {
        Response json = switch (failure) {
            case ProblemException e -> problems.problem(e, uri);
            case ForbiddenException e -> access.forbidden(e, uri);
            case UnauthorizedException e -> access.unauthorized(e, uri);
            case ConstraintViolationException e -> problems.invalid(e, uri);
            case OptimisticLockException e -> problems.concurrentChange(e, uri);
            case StaleStateException e -> problems.concurrentChange(e, uri);
            case WebApplicationException e -> problems.web(e, uri);
            case RuntimeException e -> problems.unexpected(e, uri);
            default -> problems.unexpected(new IllegalStateException(failure), uri);
        };
        Problem problem = (Problem) json.getEntity();
        Response.ResponseBuilder html = Response.status(problem.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(page.data("title", title(problem)).data("detail", detail(problem)).data("traceId", problem.traceId()));
        String retryAfter = json.getHeaderString("Retry-After");
        if (retryAfter != null) {
            html.header("Retry-After", retryAfter);
        }
        return html.build();
    }

    /** A person knows roles by what they do: where the pages of each are. */
    private static String detail(Problem problem) {
        return problem.status() == 403 && "urn:bookmarket:problem:forbidden".equals(problem.type())
                ? "This page is for another role than your account's. Publishers find their requests at /ui/requests; "
                        + "the product team reviews them at /ui/reviews."
                : problem.detail();
    }

    private static String title(Problem problem) {
        return switch (problem.status()) {
            case 403 -> "Not for your account";
            case 404 -> "Not found";
            default -> problem.title();
        };
    }
}
