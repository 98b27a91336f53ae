package io.bookmarket.support.problem;

import java.util.Map;

/**
 * A failure the client should read: thrown by services, rendered as problem JSON with the given status,
 * a stable type URI ({@code urn:bookmarket:problem:<slug>}) and optional response headers (e.g. Retry-After).
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final Map<String, String> headers;

    public ProblemException(int status, String slug, String title, String detail, Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.headers = Map.copyOf(headers);
    }

    public ProblemException(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, Map.of());
    }

    public static ProblemException notFound(String what, Object id) {
        return new ProblemException(404, "not-found", what + " not found", "There is no " + what + " with id " + id + ".");
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "invalid-transition", "Not allowed in the current state", detail);
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
