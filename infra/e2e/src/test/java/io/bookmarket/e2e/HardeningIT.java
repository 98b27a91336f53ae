package io.bookmarket.e2e;

import io.bookmarket.stack.Realm;
import io.bookmarket.launcher.LocalSystem;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.bookmarket.launcher.LocalSystem.APPROVAL;
import static io.bookmarket.launcher.LocalSystem.KEYCLOAK;
import static io.bookmarket.launcher.LocalSystem.PUBLISHER_VIEW;
import static io.bookmarket.launcher.LocalSystem.REGREQUEST;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a hostile client or an unlucky operator could do, tried against the whole system: paths that leave the API
 * through the gateway, a client's Host in the links, services open to the network, and forged or foreign tokens while
 * Keycloak is down (they must not make a service wait for it).
 */
@ExtendWith(WholeSystem.class)
class HardeningIT {

    private static LocalSystem system;

    @BeforeAll
    static void useTheWholeSystem() {
        system = WholeSystem.system();
    }

    @Test
    void throughTheGatewayNothingOutsideTheApiIsReached() throws Exception {
        for (String path : List.of("/regRequests/../q/metrics", "/publpages/../q/openapi", "/approves/%2e%2e/q/health",
                "/regRequests/%2e%2e/q/swagger-ui", "/publpages//..//q/health/ready", "/approves/..%2fq/metrics")) {
            String answer = raw(system.gateway().port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 404").contains("application/problem+json")
                    .doesNotContain("jvm_", "openapi:", "\"UP\"");
        }
        // The API itself is still reached, also through a path with dot segments that stays inside it.
        String token = system.tokens().token(Realm.REVIEWER);
        String answer = raw(system.gateway().port(), "GET /x/../approves?size=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200");
    }

    /** Location and Link name the gateway as the client reached it, never a host the client made up. */
    @Test
    void linksNameTheGatewayNeverAHostTheClientClaims() throws Exception {
        int port = system.gateway().port();
        String token = system.tokens().token(Realm.PUBLISHER);
        String body = "{\"bookId\":9101,\"bookNm\":\"hardening\",\"publId\":100}";
        String created = raw(port, "POST /regRequests HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n"
                + "X-Forwarded-Proto: https\r\nForwarded: host=evil.example;proto=https\r\nAuthorization: Bearer " + token + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(created).startsWith("HTTP/1.1 201");
        assertThat(header(created, "Location")).startsWith("http://127.0.0.1:" + port + "/regRequests/");
        String list = raw(port, "GET /regRequests?publId=100&size=1 HTTP/1.1\r\nHost: evil.example:" + port + "\r\n"
                + "X-Forwarded-Host: evil.example\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
        assertThat(list).startsWith("HTTP/1.1 200");
        assertThat(header(list, "Link")).contains("http://127.0.0.1:" + port + "/regRequests?").doesNotContain("evil");
        // Reached as localhost, the links say localhost (same host for the pages and Keycloak's cookies).
        String local = raw(port, "GET /regRequests?publId=100&size=1 HTTP/1.1\r\nHost: localhost:" + port + "\r\n"
                + "Authorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");
        assertThat(header(local, "Link")).contains("http://localhost:" + port + "/regRequests?");
    }

    /** The services listen on the loopback interface only, like every other local component. */
    @Test
    void theServicesListenOnLoopbackOnly() throws Exception {
        Map<Integer, String> listening = listeningSockets();
        for (String service : LocalSystem.SERVICES) {
            for (var replica : system.replicas(service)) {
                assertThat(listening).as("%s on port %d", service, replica.port()).containsEntry(replica.port(), "127.0.0.1");
            }
        }
        assertThat(listening).as("the gateway").containsEntry(system.gateway().port(), "127.0.0.1");
    }

    /**
     * With Keycloak down, a garbage token, a JWT signed with a key the realm never had, and a well-formed token of
     * another realm are each refused with 401 at once: no service asks Keycloak about a token (no introspection).
     */
    @Test
    void forgedAndForeignTokensAre401AtOnceWhileKeycloakIsDown() throws Exception {
        String otherRealm = masterRealmToken();
        String unknownKey = jwtSignedByAStranger();
        system.kill(KEYCLOAK);
        try {
            Map<String, String> tokens = new LinkedHashMap<>();
            tokens.put("garbage", "not-a-token");
            tokens.put("unknown key id", unknownKey);
            tokens.put("another realm's", otherRealm);
            List<String> slow = new ArrayList<>();
            for (Map.Entry<String, String> token : tokens.entrySet()) {
                for (String url : List.of(system.url(REGREQUEST) + "/regRequests/1", system.url(APPROVAL) + "/approves",
                        system.url(PUBLISHER_VIEW) + "/publpages/1", system.gatewayUrl() + "/regRequests/1")) {
                    long begin = System.nanoTime();
                    Response answer = given().header("Authorization", "Bearer " + token.getValue()).get(url);
                    long ms = Duration.ofNanos(System.nanoTime() - begin).toMillis();
                    assertThat(answer.statusCode()).as("%s token at %s: %s", token.getKey(), url, answer.asString()).isEqualTo(401);
                    assertThat(answer.contentType()).startsWith("application/problem+json");
                    if (ms > 1000) {
                        slow.add(token.getKey() + " at " + url + ": " + ms + " ms");
                    }
                }
            }
            // No network wait: a call to a Keycloak that is gone would take its connect timeout (seconds).
            assertThat(slow).as("answers that waited for Keycloak").isEmpty();
        } finally {
            system.restart(KEYCLOAK);
        }
    }

    /**
     * Two publisher-view replicas, one rebuild: while replica 1 rebuilds (held, clearing the view, by a lock this test
     * takes on processed_event), replica 2 refuses a rebuild with 409; replica 1's then completes.
     */
    @Test
    void oneRebuildAtATimeAcrossReplicas() throws Exception {
        String rebuild = "/publpages/admin/rebuild";
        String admin = system.tokens().token(Realm.ADMIN);
        var second = system.start(PUBLISHER_VIEW, 2);
        try (java.sql.Connection lock = system.stack().postgres().connect("publisherview")) {
            lock.setAutoCommit(false);
            try (java.sql.Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE processed_event IN ACCESS EXCLUSIVE MODE");
            }
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    given().header("Authorization", "Bearer " + admin).post(system.url(PUBLISHER_VIEW) + rebuild).statusCode());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> waitingRebuilds() == 1);
            Response refused = given().header("Authorization", "Bearer " + admin).post(second.url() + rebuild);
            assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(409);
            assertThat(refused.<String>path("type")).isEqualTo("urn:bookmarket:problem:rebuild-running");
            lock.rollback();
            assertThat(first.get(120, java.util.concurrent.TimeUnit.SECONDS)).as("replica 1's rebuild").isEqualTo(200);
        } finally {
            system.stop(PUBLISHER_VIEW, 2);
        }
    }

    /** Rebuilds waiting for the test's lock (a connection of its own: a transaction sees one statistics snapshot). */
    private static long waitingRebuilds() throws java.sql.SQLException {
        try (java.sql.Connection connection = system.stack().postgres().connect("publisherview");
                java.sql.Statement s = connection.createStatement(); java.sql.ResultSet r = s.executeQuery("""
                SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                AND (query LIKE 'SELECT count(*) FROM processed_event%' OR query LIKE 'TRUNCATE%')""")) {
            r.next();
            return r.getLong(1);
        }
    }

    // ---- helpers ----

    private static String masterRealmToken() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(system.keycloak().url() + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=admin-cli&username="
                        + Realm.ADMIN_USER + "&password=" + Realm.ADMIN_PASSWORD))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body()).path("access_token").asText();
    }

    /** A JWT with every claim a good token has (issuer, audience, roles, publId) but signed with a key of our own. */
    private static String jwtSignedByAStranger() throws Exception {
        var keys = KeyPairGenerator.getInstance("RSA");
        keys.initialize(2048);
        var pair = keys.generateKeyPair();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = Instant.now().getEpochSecond();
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"not-a-key-of-the-realm\"}"
                .getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"iss\":\"" + system.realmUrl() + "\",\"aud\":\"bookmarket\",\"sub\":\"x\","
                + "\"exp\":" + (now + 300) + ",\"iat\":" + now + ",\"publId\":100,"
                + "\"realm_access\":{\"roles\":[\"publisher\",\"reviewer\",\"admin\"]}}").getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(pair.getPrivate());
        rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        return header + "." + payload + "." + b64.encodeToString(rsa.sign());
    }

    /** Listening TCP sockets (IPv4 and IPv6) by port: the address each is bound to. */
    private static Map<Integer, String> listeningSockets() throws Exception {
        Map<Integer, String> sockets = new LinkedHashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
                String[] f = line.trim().split("\\s+");
                if (!f[3].equals("0A")) { // LISTEN
                    continue;
                }
                String[] local = f[1].split(":");
                int port = Integer.parseInt(local[1], 16);
                sockets.merge(port, address(local[0]), (a, b) -> a.equals(b) ? a : a + "," + b);
            }
        }
        return sockets;
    }

    private static String address(String hex) {
        return switch (hex) {
            case "0100007F" -> "127.0.0.1";
            case "00000000" -> "0.0.0.0";
            case "00000000000000000000000000000000" -> "::";
            case "00000000000000000000000001000000" -> "::1";
            case "0000000000000000FFFF00000100007F" -> "127.0.0.1"; // IPv4-mapped loopback
            default -> hex;
        };
    }

    private static String raw(int port, String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String header(String answer, String name) {
        return answer.lines().takeWhile(l -> !l.isEmpty()).filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse("");
    }
}
