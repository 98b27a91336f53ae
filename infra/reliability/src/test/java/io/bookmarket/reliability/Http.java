package io.bookmarket.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Plain HTTP calls (any method, any bytes, any content type): the tests must be able to send what clients must not. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    /** No answer arrived: the connection was reset or the request timed out. */
    static final int NO_ANSWER = -1;
    /** Nothing listens: the process is not running (the connection was refused before anything was sent). */
    static final int REFUSED = -2;

    /** An answer; status {@link #NO_ANSWER} or {@link #REFUSED} when there was none. */
    record Answer(int status, String contentType, String body, Map<String, java.util.List<String>> headers) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }

        long id() {
            return json().path("id").asLong();
        }
    }

    private Http() {
    }

    static Answer send(String method, String url, String contentType, byte[] body, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            headers.forEach(request::header);
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body(), response.headers().map());
        } catch (java.net.ConnectException e) {
            return new Answer(REFUSED, "", String.valueOf(e), Map.of());
        } catch (IOException | IllegalArgumentException e) {
            return new Answer(NO_ANSWER, "", String.valueOf(e), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "", "interrupted", Map.of());
        }
    }

    /** {@code bearer}: the access token sent as {@code Authorization: Bearer}; null sends no Authorization header. */
    static Answer send(String method, String url, String contentType, String body, String bearer) {
        return send(method, url, contentType, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                bearer == null ? Map.of() : Map.of("Authorization", "Bearer " + bearer));
    }

    static Answer get(String url, String bearer) {
        return send("GET", url, null, null, bearer);
    }

    static Answer postJson(String url, Object body, String bearer) {
        return send("POST", url, "application/json", write(body), bearer);
    }

    static Answer patchJson(String url, Object body, String bearer) {
        return send("PATCH", url, "application/json", write(body), bearer);
    }

    static Answer delete(String url, String bearer) {
        return send("DELETE", url, null, null, bearer);
    }

    /** The probes and metrics, which stay open to anyone. */
    static Answer getOpen(String url) {
        return send("GET", url, null, (byte[]) null, Map.of());
    }

    static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
