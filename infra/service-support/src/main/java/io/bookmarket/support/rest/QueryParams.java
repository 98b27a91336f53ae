package io.bookmarket.support.rest;

import io.bookmarket.support.problem.ProblemException;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.UriBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Query parameters read as text and checked here, so a bad value is a 400 naming the parameter (JAX-RS would turn a
 * failed number conversion of a query parameter into a 404), and the RFC 8288 paging links of a list.
 */
public final class QueryParams {

    private QueryParams() {
    }

    public static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    /** A whole number from {@code min} to {@code max}. */
    public static long number(String name, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw invalid(name, "must be a whole number");
        }
        if (value < min || value > max) {
            throw invalid(name, max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                    ? "must be at least " + min : "must be between " + min + " and " + max);
        }
        return value;
    }

    public static ProblemException invalid(String name, String message) {
        return new ProblemException(400, "invalid-request", "Invalid request",
                "Query parameter '" + name + "' " + message + ".");
    }

    /** The {@code Link} header of one page: first, prev, next and last, keeping the request's other parameters. */
    public static String pageLinks(UriInfo uri, int page, int size, long total) {
        long last = Math.max(0, (total - 1) / size);
        List<String> links = new ArrayList<>();
        UriBuilder self = uri.getRequestUriBuilder().replaceQueryParam("size", size);
        links.add(link(self, 0, "first"));
        if (page > 0) {
            links.add(link(self, Math.min(page - 1, last), "prev"));
        }
        if (page < last) {
            links.add(link(self, page + 1, "next"));
        }
        links.add(link(self, last, "last"));
        return String.join(", ", links);
    }

    private static String link(UriBuilder self, long page, String rel) {
        return "<" + self.clone().replaceQueryParam("page", page).build() + ">; rel=\"" + rel + "\"";
    }
}
