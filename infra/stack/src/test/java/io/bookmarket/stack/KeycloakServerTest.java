package io.bookmarket.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real Keycloak of the stack (one start for the class): the realm file's roles, audience, publId claim, clients
 * and issuer as the services and suites rely on them, the token client's cache, and a crash and restart on the same data.
 */
class KeycloakServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path WORK_DIR = Path.of("target/stack-keycloak");
    private static Stack stack;

    @BeforeAll
    static void start() {
        Dirs.deleteRecursively(WORK_DIR);
        stack = Stack.start(Stack.options(WORK_DIR).withKeycloak(true));
        StringBuilder line = new StringBuilder("Startup (with Keycloak, realm imported):");
        stack.startupTimes().forEach((k, v) -> line.append(' ').append(k).append('=').append(v.toMillis()).append("ms"));
        System.out.println(line);
        System.out.printf("Keycloak RSS after start: %d MB%n", rssMegabytes(stack.keycloak().pid()));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
                .as("processes left running").isZero();
    }

    private static KeycloakServer keycloak() {
        return stack.keycloak();
    }

    private static TokenClient tokens() {
        return stack.tokens();
    }

    @Test
    void publishersTokensCarryTheirPublIdRoleAudienceAndTheFixedIssuer() {
        KeycloakServer keycloak = keycloak();
        assertThat(keycloak.realmUrl()).isEqualTo("http://127.0.0.1:" + keycloak.port() + "/realms/bookmarket");
        JsonNode p100 = payload(tokens().token(Realm.PUBLISHER));
        assertThat(p100.path("iss").asText()).isEqualTo(keycloak.realmUrl());
        assertThat(p100.path("publId").isNumber()).as("publId is a JSON number: " + p100).isTrue();
        assertThat(p100.path("publId").asLong()).isEqualTo(100);
        assertThat(roles(p100)).contains("publisher").doesNotContain("reviewer", "admin", "review-opener");
        assertThat(audiences(p100)).contains("bookmarket");
        assertThat(p100.path("preferred_username").asText()).isEqualTo("publisher100");

        JsonNode p200 = payload(tokens().token(Realm.OTHER_PUBLISHER));
        assertThat(p200.path("publId").asLong()).isEqualTo(200);
        assertThat(roles(p200)).contains("publisher");

        JsonNode reviewer = payload(tokens().token(Realm.REVIEWER));
        assertThat(reviewer.has("publId")).isFalse();
        assertThat(roles(reviewer)).contains("reviewer").doesNotContain("publisher", "admin");
        assertThat(audiences(reviewer)).contains("bookmarket");

        JsonNode admin = payload(tokens().token(Realm.ADMIN));
        assertThat(roles(admin)).contains("admin", "reviewer").doesNotContain("publisher");
    }

    @Test
    void aWrongPasswordOrUnknownUserIsRefusedWithKeycloaksAnswer() {
        assertThatThrownBy(() -> tokens().token("nobody"))
                .hasMessageContaining("user nobody").hasMessageContaining("HTTP 400").hasMessageContaining("invalid_grant");
    }

    @Test
    void regrequestServiceGetsTheReviewOpenerRoleByClientCredentials() {
        JsonNode service = payload(tokens().clientToken(Realm.REGREQUEST_CLIENT, Realm.REGREQUEST_SECRET));
        assertThat(roles(service)).contains("review-opener").doesNotContain("reviewer", "publisher");
        assertThat(audiences(service)).contains("bookmarket");
        assertThat(service.path("iss").asText()).isEqualTo(keycloak().realmUrl());
        assertThatThrownBy(() -> tokens().clientToken(Realm.REGREQUEST_CLIENT, "wrong"))
                .hasMessageContaining("HTTP 401");
    }

    @Test
    void shortLivedTokensExpireTwoSecondsAfterTheyAreIssued() {
        JsonNode token = payload(tokens().newToken(Realm.SHORT_LIVED_CLIENT, "publisher100"));
        assertThat(token.path("exp").asLong() - token.path("iat").asLong()).isEqualTo(2);
        assertThat(audiences(token)).contains("bookmarket");
        assertThat(token.path("publId").asLong()).isEqualTo(100);
    }

    @Test
    void otherAppsTokensAreNotMeantForTheServices() {
        JsonNode token = payload(tokens().newToken(Realm.OTHER_APP_CLIENT, "publisher100"));
        assertThat(audiences(token)).doesNotContain("bookmarket");
        assertThat(token.path("iss").asText()).isEqualTo(keycloak().realmUrl());
        assertThat(roles(token)).contains("publisher");
    }

    @Test
    void theMasterRealmsTokenHasAnotherIssuer() {
        JsonNode token = payload(tokens().masterAdminToken());
        assertThat(token.path("iss").asText()).isEqualTo(keycloak().url() + "/realms/master");
    }

    @Test
    void aUsersTokenIsReusedFromManyThreadsAndRenewedThirtySecondsBeforeItExpires() throws Exception {
        TokenClient keycloak = new TokenClient(keycloak().url()); // a cache of its own: this test moves its clock
        Clock now = Clock.systemUTC();
        try {
            // Many threads at once, nothing cached yet for this user: one grant, one token for all.
            List<String> seen = new ArrayList<>();
            try (ExecutorService threads = Executors.newFixedThreadPool(16)) {
                List<Future<String>> calls = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    calls.add(threads.submit((Callable<String>) () -> keycloak.token("publisher200")));
                }
                for (Future<String> call : calls) {
                    seen.add(call.get());
                }
            }
            assertThat(seen).as("tokens handed out concurrently").containsOnly(seen.getFirst());
            String first = seen.getFirst();
            JsonNode payload = payload(first);
            long lifetime = payload.path("exp").asLong() - payload.path("iat").asLong();
            assertThat(lifetime).as("the realm's access token lifespan").isEqualTo(300);

            keycloak.clock = Clock.offset(now, Duration.ofSeconds(lifetime - 32));
            assertThat(keycloak.token("publisher200")).as("32 s before expiry").isEqualTo(first);
            keycloak.clock = Clock.offset(now, Duration.ofSeconds(lifetime - 28));
            String renewed = keycloak.token("publisher200");
            assertThat(renewed).as("28 s before expiry").isNotEqualTo(first);
            assertThat(payload(renewed).path("publId").asLong()).isEqualTo(200);
            assertThat(keycloak.token("publisher200")).as("the renewed token is cached in turn").isEqualTo(renewed);
        } finally {
            keycloak.clock = now;
        }
    }

    /**
     * Whichever order the tests run in, the others work on the restarted server as well. While Keycloak is down, a
     * token client keeps handing out the token it holds as long as that is valid.
     */
    @Test
    void aKilledKeycloakRestartsOnItsPortWithTheRealmKeptInPostgres() throws Exception {
        KeycloakServer before = keycloak();
        int port = before.port();
        TokenClient tokens = new TokenClient(before.url()); // a cache of its own: this test moves its clock
        String cached = tokens.token(Realm.PUBLISHER);
        long lifetime = payload(cached).path("exp").asLong() - payload(cached).path("iat").asLong();
        stack.kill(Stack.Component.KEYCLOAK);
        assertThat(ProcessHandle.of(before.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThatThrownBy(() -> tokens.newToken(Realm.OTHER_APP_CLIENT, "publisher100"))
                .hasMessageContaining("could not be asked for a token");
        try {
            tokens.clock = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(lifetime - 28));
            assertThat(tokens.token(Realm.PUBLISHER)).as("due for renewal, Keycloak down, still valid").isEqualTo(cached);
            tokens.clock = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(lifetime + 1));
            assertThatThrownBy(() -> tokens.token(Realm.PUBLISHER)).as("expired, Keycloak down")
                    .hasMessageContaining("could not be asked for a token");
        } finally {
            tokens.clock = Clock.systemUTC();
        }

        long begin = System.nanoTime();
        stack.restart(Stack.Component.KEYCLOAK);
        System.out.printf("Keycloak restarted (no realm import) in %d ms; RSS %d MB%n",
                Duration.ofNanos(System.nanoTime() - begin).toMillis(), rssMegabytes(keycloak().pid()));
        KeycloakServer after = keycloak();
        assertThat(after.port()).isEqualTo(port);
        String raw = tokens.newToken(Realm.CLI_CLIENT, "publisher100");
        JsonNode token = payload(raw);
        assertThat(token.path("publId").asLong()).isEqualTo(100);
        assertThat(token.path("iss").asText()).isEqualTo("http://127.0.0.1:" + port + "/realms/bookmarket");
        assertThat(roles(payload(tokens.clientToken(Realm.REGREQUEST_CLIENT, Realm.REGREQUEST_SECRET))))
                .contains("review-opener");
        // The realm's signing keys are in the database too: a token issued before the crash keeps its key id.
        assertThat(header(raw).path("kid").asText()).isEqualTo(header(cached).path("kid").asText());
        String log = Files.readString(WORK_DIR.resolve("logs/keycloak.log"));
        assertThat(log).containsOnlyOnce("Realm 'bookmarket' imported");
    }

    private static JsonNode payload(String jwt) {
        return decode(jwt.split("\\.")[1]);
    }

    private static JsonNode header(String jwt) {
        return decode(jwt.split("\\.")[0]);
    }

    private static JsonNode decode(String part) {
        try {
            return JSON.readTree(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<String> roles(JsonNode payload) {
        return StreamSupport.stream(payload.path("realm_access").path("roles").spliterator(), false)
                .map(JsonNode::asText).toList();
    }

    /** {@code aud} is a string for one audience, an array for several, absent for none. */
    private static List<String> audiences(JsonNode payload) {
        JsonNode aud = payload.path("aud");
        if (aud.isTextual()) {
            return List.of(aud.asText());
        }
        return StreamSupport.stream(aud.spliterator(), false).map(JsonNode::asText).toList();
    }

    static long rssMegabytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
