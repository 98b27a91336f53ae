package io.bookmarket.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.bookmarket.reliability.Http.Answer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static io.bookmarket.reliability.Tokens.ADMIN;
import static io.bookmarket.reliability.Tokens.OTHER_APP_CLIENT;
import static io.bookmarket.reliability.Tokens.OTHER_PUBLISHER;
import static io.bookmarket.reliability.Tokens.PUBLISHER;
import static io.bookmarket.reliability.Tokens.PUBL_ID;
import static io.bookmarket.reliability.Tokens.REVIEWER;
import static io.bookmarket.reliability.Tokens.SHORT_LIVED_CLIENT;

/**
 * Generated hostile requests for every endpoint of the three services.
 * <ul>
 * <li>{@link #generate}: malformed JSON, wrong types, invalid values, oversized bodies, wrong content types,
 * injection-like text, unknown paths and methods, each sent with the token of a caller the endpoint admits (so what
 * refuses it is the input checks, not the role check). Each must be refused (4xx) without changing anything, so every
 * probe is invalid in at least one way a valid client never is.</li>
 * <li>{@link #identity}: requests that are valid in every way but who sends them: no token, an expired one, another
 * issuer's or audience's, a forged signature or claims, {@code alg: none}, the wrong role, another publisher's ids.
 * Each must be 401 (with {@code WWW-Authenticate}), 403 or 404 problem JSON, or, for the searches and lists a
 * publisher may run, a 200 that shows nothing of the other publisher.</li>
 * </ul>
 */
final class Hostile {

    /** Any 4xx problem JSON will do (the input is invalid in some way). */
    static final int ANY_4XX = 0;
    /** A 200 JSON list that holds nothing of publisher100 (its publId, its request): what a search by another publisher must show. */
    static final int LIST_WITHOUT_OTHERS = 200;

    /** Who sends a probe: the value of its Authorization header (null: none) and a name for the report. */
    record Caller(String name, Supplier<String> authorization) {
    }

    /** {@code expect}: {@link #ANY_4XX}, an exact 401/403/404, or {@link #LIST_WITHOUT_OTHERS}; {@code kind} groups the figures. */
    record Probe(String service, String method, String path, String contentType, byte[] body, Map<String, String> headers,
            Caller caller, int expect, String kind) {

        String describe() {
            String text = body == null ? "" : new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8);
            return service + " " + method + " " + path + " as " + caller.name() + " [" + contentType + "] " + text
                    + (body != null && body.length > 80 ? "... (" + body.length + " bytes)" : "");
        }

        /** The headers to send, the Authorization header included (resolved now: cached tokens are renewed). */
        Map<String, String> allHeaders() {
            String authorization = caller.authorization().get();
            if (authorization == null) {
                return headers;
            }
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.put("Authorization", authorization);
            return all;
        }
    }

    private final Tokens tokens;

    Hostile(Tokens tokens) {
        this.tokens = tokens;
    }

    /**
     * Why an answer is not what the probe must get, or null when it is. {@code seed}: publisher100's request that no
     * one else may see.
     */
    static String verdict(Probe probe, Answer a, long seed) {
        if (probe.expect() == LIST_WITHOUT_OTHERS) {
            JsonNode list = a.json();
            if (a.status() != 200 || list == null || !list.isArray()) {
                return "expected a 200 JSON list, got " + a.status();
            }
            for (JsonNode row : list) {
                if (row.path("publId").asLong() == PUBL_ID || row.path("id").asLong() == seed || row.path("reqId").asLong() == seed) {
                    return "shows publisher100's data: " + row;
                }
            }
            return null;
        }
        if (a.status() < 400 || a.status() >= 500) {
            return "status " + a.status();
        }
        if (probe.expect() != ANY_4XX && a.status() != probe.expect()) {
            return "expected " + probe.expect() + ", got " + a.status();
        }
        JsonNode problem = a.json();
        if (!a.contentType().startsWith("application/problem+json") || problem == null
                || problem.path("status").asInt() != a.status() || problem.path("title").asText().isEmpty()) {
            return "no problem JSON (" + a.contentType() + ")";
        }
        if (a.status() == 401 && a.headers().entrySet().stream().noneMatch(h -> h.getKey().equalsIgnoreCase("WWW-Authenticate")
                && h.getValue().stream().anyMatch(v -> v.startsWith("Bearer")))) {
            return "401 without a WWW-Authenticate: Bearer challenge";
        }
        return null;
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

    List<Probe> generate(long ticketId) {
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
                    Map.of("Idempotency-Key", "k".repeat(300)), user(PUBLISHER), ANY_4XX, "invalid input"));
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

    private Probe json(String service, String method, String path, String body) {
        return raw(service, method, path, "application/json", body);
    }

    private Probe raw(String service, String method, String path, String contentType, String body) {
        return new Probe(service, method, path, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), Map.of(),
                admitted(service, method, path), ANY_4XX, "invalid input");
    }

    /** 11 MB of JSON: beyond the HTTP layer's 10 MB body limit. */
    private Probe oversized(String service, String path, String field) {
        String body = "{\"" + field + "\": \"" + "z".repeat(11 * 1024 * 1024) + "\"}";
        return json(service, "POST", path, body);
    }

    /** A caller the endpoint admits: publishers file and cancel, regrequest-service opens tickets, admin rebuilds, reviewers read and decide. */
    private Caller admitted(String service, String method, String path) {
        if (service.equals(REGREQUEST) && !method.equals("GET")) {
            return user(PUBLISHER);
        }
        if (service.equals(APPROVAL) && method.equals("POST")) {
            return opener();
        }
        if (service.equals(PUBLISHER_VIEW) && path.contains("/admin/")) {
            return user(ADMIN);
        }
        return user(REVIEWER);
    }

    private Caller user(String user) {
        return new Caller(user, () -> "Bearer " + tokens.of(user));
    }

    private Caller opener() {
        return new Caller("regrequest-service (review-opener)", () -> "Bearer " + tokens.opener());
    }

    private static Caller fixed(String name, String authorization) {
        return new Caller(name, () -> authorization);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Identity: valid requests from the wrong caller
    // ---------------------------------------------------------------------------------------------------------------

    /** One endpoint, called exactly as its rightful caller would ({@code admitted}: a user, or null for regrequest-service). */
    private record Endpoint(String service, String method, String path, String body, String admitted) {

        Probe as(Caller caller, int expect, String kind) {
            return new Probe(service, method, path, body == null ? null : "application/json",
                    body == null ? null : body.getBytes(StandardCharsets.UTF_8), Map.of(), caller, expect, kind);
        }
    }

    /**
     * Every endpoint of the three services, each called with every kind of bad credential (401), with valid tokens of
     * roles it does not admit (403), and by publisher200 on publisher100's data (404, 403, or a list without it).
     * {@code seed} is publisher100's request, {@code ticket} its review ticket. Takes a few seconds: it waits until the
     * short-lived tokens have expired.
     */
    List<Probe> identity(long seed, long ticket) throws InterruptedException {
        String newRequest = "{\"bookId\": 1, \"bookNm\": \"identity probe\", \"publId\": " + PUBL_ID + "}";
        List<Endpoint> endpoints = List.of(
                new Endpoint(REGREQUEST, "POST", "/regRequests", newRequest, PUBLISHER),
                new Endpoint(REGREQUEST, "POST", "/regrequests", newRequest, PUBLISHER),
                new Endpoint(REGREQUEST, "GET", "/regRequests", null, PUBLISHER),
                new Endpoint(REGREQUEST, "GET", "/regRequests?publId=" + PUBL_ID, null, PUBLISHER),
                new Endpoint(REGREQUEST, "GET", "/regRequests/" + seed, null, PUBLISHER),
                new Endpoint(REGREQUEST, "GET", "/regrequests/" + seed, null, PUBLISHER),
                new Endpoint(REGREQUEST, "DELETE", "/regRequests/" + seed, null, PUBLISHER),
                new Endpoint(REGREQUEST, "DELETE", "/regrequests/" + seed, null, PUBLISHER),
                new Endpoint(APPROVAL, "POST", "/approves", "{\"reqReqId\": 900000000002, \"publId\": " + PUBL_ID + "}", null),
                new Endpoint(APPROVAL, "GET", "/approves", null, REVIEWER),
                new Endpoint(APPROVAL, "GET", "/approves?reqReqId=" + seed, null, REVIEWER),
                new Endpoint(APPROVAL, "GET", "/approves/" + ticket, null, REVIEWER),
                new Endpoint(APPROVAL, "PATCH", "/approves/" + ticket, "{\"appYn\": \"Approved\"}", REVIEWER),
                new Endpoint(PUBLISHER_VIEW, "GET", "/publpages", null, PUBLISHER),
                new Endpoint(PUBLISHER_VIEW, "GET", "/publpages?publId=" + PUBL_ID, null, PUBLISHER),
                new Endpoint(PUBLISHER_VIEW, "GET", "/publpages/" + seed, null, PUBLISHER),
                new Endpoint(PUBLISHER_VIEW, "GET", "/publpages/search/findByReqId?reqId=" + seed, null, PUBLISHER),
                new Endpoint(PUBLISHER_VIEW, "GET", "/publpages/search/findByPublId?publId=" + PUBL_ID, null, PUBLISHER),
                new Endpoint(PUBLISHER_VIEW, "POST", "/publpages/admin/rebuild", null, ADMIN));

        // Tokens of their own (5 minutes from now), so a forgery is wrong in exactly one way. For regrequest-service's
        // endpoint the users' variants are admin's (the short-lived and other-app clients only have users).
        Map<String, String> genuine = new LinkedHashMap<>();
        Map<String, String> expired = new LinkedHashMap<>();
        Map<String, String> otherAudience = new LinkedHashMap<>();
        for (String user : List.of(PUBLISHER, REVIEWER, ADMIN)) {
            genuine.put(user, tokens.fresh(user));
            expired.put(user, tokens.viaClient(SHORT_LIVED_CLIENT, user));
            otherAudience.put(user, tokens.viaClient(OTHER_APP_CLIENT, user));
        }
        String openerToken = tokens.newOpener();
        String otherIssuer = tokens.otherIssuer();
        String realmKey = Http.getOpen(tokens.keycloak().realmUrl()).json().path("public_key").asText();
        if (realmKey.isEmpty()) {
            throw new IllegalStateException("Keycloak's realm document has no public_key");
        }
        // Until every short-lived token has expired, with a second to spare (exp has a resolution of one second).
        long expiredAt = expired.values().stream().mapToLong(Jwt::exp).max().orElseThrow() + 2;
        while (Instant.now().getEpochSecond() < expiredAt) {
            Thread.sleep(250);
        }

        List<Probe> probes = new ArrayList<>();
        for (Endpoint e : endpoints) {
            String own = e.admitted() == null ? openerToken : genuine.get(e.admitted());
            String user = e.admitted() == null ? ADMIN : e.admitted();
            probes.add(e.as(fixed("no token", null), 401, "no token"));
            probes.add(e.as(fixed("Bearer without a token", "Bearer"), 401, "malformed credentials"));
            probes.add(e.as(fixed("Bearer not-a-jwt", "Bearer not-a-jwt"), 401, "malformed credentials"));
            probes.add(e.as(fixed("Basic " + user + ":" + user, "Basic " + java.util.Base64.getEncoder()
                    .encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8))), 401, "malformed credentials"));
            probes.add(e.as(fixed("expired token of " + user, "Bearer " + expired.get(user)), 401, "expired"));
            probes.add(e.as(fixed("master realm admin (wrong issuer)", "Bearer " + otherIssuer), 401, "wrong issuer"));
            probes.add(e.as(fixed(user + " via other-app (wrong audience)", "Bearer " + otherAudience.get(user)), 401, "wrong audience"));
            probes.add(e.as(fixed("signature bits flipped", "Bearer " + Jwt.tamperedSignature(own)), 401, "tampered signature"));
            probes.add(e.as(fixed("claims changed, signature kept", "Bearer " + Jwt.tamperedClaims(own)), 401, "tampered claims"));
            probes.add(e.as(fixed("alg none", "Bearer " + Jwt.unsigned(own, false)), 401, "alg none"));
            probes.add(e.as(fixed("alg none with the genuine kid", "Bearer " + Jwt.unsigned(own, true)), 401, "alg none"));
            probes.add(e.as(fixed("HS256 with the realm's public key", "Bearer " + Jwt.hmacWithPublicKey(own, realmKey)), 401,
                    "alg confusion"));
        }

        // Valid tokens, roles the endpoint does not admit: 403.
        Caller publisher = user(PUBLISHER);
        Caller otherPublisher = user(OTHER_PUBLISHER);
        Caller reviewer = user(REVIEWER);
        Caller admin = user(ADMIN);
        Caller opener = opener();
        for (Endpoint e : endpoints) {
            List<Caller> refused = switch (e.service() + " " + e.method()) {
                case REGREQUEST + " POST", REGREQUEST + " DELETE" -> List.of(reviewer, admin, opener);
                case REGREQUEST + " GET", PUBLISHER_VIEW + " GET" -> List.of(opener);
                case APPROVAL + " POST" -> List.of(publisher, reviewer, admin);
                case APPROVAL + " GET", APPROVAL + " PATCH" -> List.of(publisher, otherPublisher, opener);
                case PUBLISHER_VIEW + " POST" -> List.of(publisher, otherPublisher, reviewer, opener);
                default -> throw new IllegalStateException(e.toString());
            };
            refused.forEach(caller -> probes.add(e.as(caller, 403, "wrong role")));
        }

        // publisher200 on publisher100's data: its ids are unknown to it (404), its lists refused (403), searches and
        // the publisher's own lists show nothing of it; filing in its name is refused (403).
        for (Endpoint e : endpoints) {
            int expect;
            if (e.service().equals(REGREQUEST) && e.method().equals("POST")) {
                expect = 403;
            } else if (e.admitted() == null || !e.admitted().equals(PUBLISHER)) {
                continue; // not a publisher's endpoint: covered by the wrong-role probes
            } else if (e.path().contains("publId=")) {
                expect = 403;
            } else if (e.path().endsWith("/" + seed)) {
                expect = 404;
            } else {
                expect = LIST_WITHOUT_OTHERS;
            }
            probes.add(e.as(otherPublisher, expect, "another publisher's data"));
        }
        return probes;
    }
}
