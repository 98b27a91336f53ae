package io.bookmarket.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;

/**
 * Generated hostile requests for every endpoint of the three services: malformed JSON, wrong types, invalid values,
 * oversized bodies, wrong content types, injection-like text, unknown paths and methods. Each one must be refused
 * (4xx) without changing anything, so every probe is invalid in at least one way a valid client never is.
 */
final class Hostile {

    record Probe(String service, String method, String path, String contentType, byte[] body, Map<String, String> headers) {

        String describe() {
            String text = body == null ? "" : new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8);
            return service + " " + method + " " + path + " [" + contentType + "] " + text + (body != null && body.length > 80 ? "... (" + body.length + " bytes)" : "");
        }
    }

    /** Values that are not a positive whole number, as raw JSON. */
    static final List<String> BAD_IDS = List.of("\"ten\"", "true", "false", "[]", "{}", "[1]", "1.5", "-1", "0", "null", "\"\"",
            "\"   \"", "1e400", "99999999999999999999999", "\"99999999999999999999999\"", "\"1 OR 1=1\"",
            "\"1; DROP TABLE reg_request;--\"", "\"<script>alert(1)</script>\"", "{\"$gt\": 0}", "\"0x10\"",
            "\"${jndi:ldap://127.0.0.1/a}\"", "-9223372036854775808", "\"NaN\"", "\"-0\"", "\"1\\u0000\"");
    /** Values that are not a book name (blank, too long, not text). */
    static final List<String> BAD_NAMES = List.of("null", "\"\"", "\"   \"", "\"" + "x".repeat(201) + "\"",
            "\"" + "'; DROP TABLE reg_request;--".repeat(10) + "\"", "\"" + "y".repeat(100_000) + "\"", "[]", "{}",
            "[\"a\"]", "{\"$ne\": null}");
    static final List<String> MALFORMED = List.of("{", "}", "{\"bookId\": 1,", "nul", "[1, 2", "{'bookId': 1}", "\u0000\u0001\u0002",
            "{\"bookId\": 1 \"publId\": 2}", "<xml/>", "bookId=1&publId=2", "{\"a\":" + "[".repeat(5000), "\"unterminated");
    static final List<String> WRONG_CONTENT_TYPES = List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/octet-stream", "text/html", "application/json-patch+json", "image/png");
    static final List<String> BAD_APPYN = List.of("\"Bogus\"", "\"\"", "null", "1", "[]", "{}", "true", "\"RegRequested\"",
            "\"Approved'; DROP TABLE approve;--\"", "\"" + "A".repeat(10_000) + "\"", "\"ReqCanceled\"", "\"Y N\"");
    /** Path ids that are not ids, or ids nobody has. */
    static final List<String> BAD_PATH_IDS = List.of("abc", "-1", "0", "1.5", "99999999999999999999", "%27%20OR%201=1--",
            "%3Cscript%3E", "9000000000000", "1%00", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd");
    /** Query values that are not valid page/size/id values. */
    static final List<String> BAD_QUERY_VALUES = List.of("abc", "-1", "1.5", "99999999999999999999", "%27%20OR%201=1--",
            "%3Cscript%3E", "0x10", "%00");

    static List<Probe> generate(long ticketId) {
        List<Probe> probes = new ArrayList<>();
        String validRequest = "{\"bookId\": 1, \"bookNm\": \"hostile\", \"publId\": 1}";
        String validTicket = "{\"reqReqId\": 900000000001, \"publId\": 1}";
        for (String path : List.of("/regRequests", "/regrequests")) {
            for (String bad : BAD_IDS) {
                probes.add(json(REGREQUEST, "POST", path, "{\"bookId\": " + bad + ", \"bookNm\": \"hostile\", \"publId\": 1}"));
                probes.add(json(REGREQUEST, "POST", path, "{\"bookId\": 1, \"bookNm\": \"hostile\", \"publId\": " + bad + "}"));
            }
            for (String bad : BAD_NAMES) {
                probes.add(json(REGREQUEST, "POST", path, "{\"bookId\": 1, \"bookNm\": " + bad + ", \"publId\": 1}"));
            }
            probes.add(json(REGREQUEST, "POST", path, "{\"bookNm\": \"missing ids\"}"));
            probes.add(json(REGREQUEST, "POST", path, "[]"));
            probes.add(json(REGREQUEST, "POST", path, "null"));
            probes.add(json(REGREQUEST, "POST", path, ""));
            MALFORMED.forEach(m -> probes.add(json(REGREQUEST, "POST", path, m)));
            WRONG_CONTENT_TYPES.forEach(type -> probes.add(raw(REGREQUEST, "POST", path, type, validRequest)));
            probes.add(new Probe(REGREQUEST, "POST", path, "application/json", "{\"bookId\": \"1\" }".getBytes(StandardCharsets.UTF_8),
                    Map.of("Idempotency-Key", "k".repeat(300))));
            for (String id : BAD_PATH_IDS) {
                probes.add(raw(REGREQUEST, "GET", path + "/" + id, null, null));
                probes.add(raw(REGREQUEST, "DELETE", path + "/" + id, null, null));
            }
            for (String q : BAD_QUERY_VALUES) {
                probes.add(raw(REGREQUEST, "GET", path + "?publId=" + q, null, null));
                probes.add(raw(REGREQUEST, "GET", path + "?publId=1&page=" + q, null, null));
                probes.add(raw(REGREQUEST, "GET", path + "?publId=1&size=" + q, null, null));
            }
            probes.add(raw(REGREQUEST, "GET", path + "?publId=1&size=101", null, null));
            probes.add(raw(REGREQUEST, "GET", path + "?publId=1&size=0", null, null));
            probes.add(raw(REGREQUEST, "PUT", path + "/1", "application/json", validRequest));
            probes.add(raw(REGREQUEST, "PATCH", path + "/1", "application/json", "{\"regYn\": \"Approved\"}"));
            probes.add(raw(REGREQUEST, "DELETE", path, null, null));
            probes.add(raw(REGREQUEST, "GET", path + "/1/nothing-here", null, null));
        }
        probes.add(oversized(REGREQUEST, "/regRequests", "bookNm"));

        for (String bad : BAD_IDS) {
            probes.add(json(APPROVAL, "POST", "/approves", "{\"reqReqId\": " + bad + ", \"publId\": 1}"));
            probes.add(json(APPROVAL, "POST", "/approves", "{\"reqReqId\": 900000000001, \"publId\": " + bad + "}"));
        }
        probes.add(json(APPROVAL, "POST", "/approves", "{}"));
        MALFORMED.forEach(m -> probes.add(json(APPROVAL, "POST", "/approves", m)));
        WRONG_CONTENT_TYPES.forEach(type -> probes.add(raw(APPROVAL, "POST", "/approves", type, validTicket)));
        probes.add(oversized(APPROVAL, "/approves", "appYn"));
        String ticket = "/approves/" + ticketId;
        for (String bad : BAD_APPYN) {
            probes.add(raw(APPROVAL, "PATCH", ticket, "application/json", "{\"appYn\": " + bad + "}"));
            probes.add(raw(APPROVAL, "PATCH", ticket, "application/merge-patch+json", "{\"appYn\": " + bad + "}"));
        }
        probes.add(raw(APPROVAL, "PATCH", ticket, "application/json", "{}"));
        MALFORMED.forEach(m -> probes.add(raw(APPROVAL, "PATCH", ticket, "application/json", m)));
        WRONG_CONTENT_TYPES.stream().filter(t -> !t.equals("application/json-patch+json"))
                .forEach(type -> probes.add(raw(APPROVAL, "PATCH", ticket, type, "{\"appYn\": \"Approved\"}")));
        for (String id : BAD_PATH_IDS) {
            probes.add(raw(APPROVAL, "GET", "/approves/" + id, null, null));
            probes.add(raw(APPROVAL, "PATCH", "/approves/" + id, "application/json", "{\"appYn\": \"Approved\"}"));
        }
        for (String q : BAD_QUERY_VALUES) {
            for (String param : List.of("publId", "reqReqId", "page", "size", "appYn", "confirmed")) {
                probes.add(raw(APPROVAL, "GET", "/approves?" + param + "=" + q, null, null));
            }
        }
        probes.add(raw(APPROVAL, "DELETE", ticket, null, null));
        probes.add(raw(APPROVAL, "PUT", ticket, "application/json", "{\"appYn\": \"Approved\"}"));
        probes.add(raw(APPROVAL, "GET", "/approves/1/nothing-here", null, null));

        for (String id : BAD_PATH_IDS) {
            probes.add(raw(PUBLISHER_VIEW, "GET", "/publpages/" + id, null, null));
            if (!id.equals("9000000000000")) { // a valid search that finds nothing: 200 []
                probes.add(raw(PUBLISHER_VIEW, "GET", "/publpages/search/findByReqId?reqId=" + id, null, null));
            }
        }
        for (String q : BAD_QUERY_VALUES) {
            for (String param : List.of("publId", "page", "size")) {
                probes.add(raw(PUBLISHER_VIEW, "GET", "/publpages?" + param + "=" + q, null, null));
                probes.add(raw(PUBLISHER_VIEW, "GET", "/publpages/search/findByPublId?"
                        + (param.equals("publId") ? "" : "publId=1&") + param + "=" + q, null, null));
            }
        }
        probes.add(raw(PUBLISHER_VIEW, "GET", "/publpages/search/findByReqId", null, null));
        probes.add(raw(PUBLISHER_VIEW, "GET", "/publpages/search/findByPublId", null, null));
        probes.add(raw(PUBLISHER_VIEW, "POST", "/publpages", "application/json", "{\"reqId\": 1, \"status\": \"Approved\"}"));
        probes.add(raw(PUBLISHER_VIEW, "PUT", "/publpages/1", "application/json", "{\"status\": \"Approved\"}"));
        probes.add(raw(PUBLISHER_VIEW, "DELETE", "/publpages/1", null, null));
        probes.add(raw(PUBLISHER_VIEW, "GET", "/publpages/admin/rebuild", null, null));
        probes.add(raw(PUBLISHER_VIEW, "GET", "/publpages/1/nothing-here", null, null));
        return probes;
    }

    private static Probe json(String service, String method, String path, String body) {
        return raw(service, method, path, "application/json", body);
    }

    private static Probe raw(String service, String method, String path, String contentType, String body) {
        return new Probe(service, method, path, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** 11 MB of JSON: beyond the HTTP layer's 10 MB body limit. */
    private static Probe oversized(String service, String path, String field) {
        String body = "{\"" + field + "\": \"" + "z".repeat(11 * 1024 * 1024) + "\"}";
        return json(service, "POST", path, body);
    }
}
