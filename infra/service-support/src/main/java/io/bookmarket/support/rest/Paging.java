package io.bookmarket.support.rest;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;

import java.util.ArrayList;
import java.util.List;

import static io.bookmarket.support.rest.QueryParams.blank;
import static io.bookmarket.support.rest.QueryParams.number;

/**
 * One page of a list: {@code page} from 0 (default 0), {@code size} from 1 to a maximum (default 20), answered as a
 * plain JSON array (as the original did) with the paging in headers: {@code X-Total-Count} and RFC 8288 {@code Link}.
 */
public record Paging(int page, int size) {

    public static final int DEFAULT_SIZE = 20;

    /** The query parameters as sent (null or blank: the default); a bad one is a 400 naming it. */
    public static Paging of(String page, String size, int maxSize) {
        return new Paging(blank(page) ? 0 : (int) number("page", page, 0, Integer.MAX_VALUE),
                blank(size) ? DEFAULT_SIZE : (int) number("size", size, 1, maxSize));
    }

    /** 200 with this page's items, the total and the links to the first, previous, next and last pages. */
    public Response response(List<?> items, long total, UriInfo uri) {
        return Response.ok(items).header("X-Total-Count", total).header("Link", links(uri, total)).build();
    }

    /** The {@code Link} header: first, prev, next and last, keeping the request's other parameters. */
    String links(UriInfo uri, long total) {
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
