package io.bookmarket.bench;

import io.bookmarket.stack.Realm;
import io.bookmarket.stack.TokenClient;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The load's access tokens, issued by the system's Keycloak through the stack's token client: publisher100 files
 * (POST), publisher200 reads its own rows (GET). A token is fetched once and reused by every request until it is about
 * to expire, so a request costs a map lookup here and verifying the token is local to the service (keys cached).
 * Before each measured window {@link #validFor} makes sure no token needs renewing during it, so Keycloak is not asked
 * while CPU time is counted (should a window outlast a token anyway, it is renewed on the way and counted apart).
 */
final class BenchTokens {

    static final String PUBLISHER = Realm.PUBLISHER.name();
    static final long PUBL_ID = Realm.PUBLISHER.publId();
    static final String READER = Realm.OTHER_PUBLISHER.name();
    static final long READER_PUBL_ID = Realm.OTHER_PUBLISHER.publId();

    private final Supplier<TokenClient> tokens;
    private long issuedBeforeWindows;
    private long issuedAtLastWindow;

    BenchTokens(Supplier<TokenClient> tokens) {
        this.tokens = tokens;
    }

    /** {@code Bearer <token>} of a user: the token held, renewed only when it is about to expire. */
    String authorization(String user) {
        return "Bearer " + tokens.get().token(user);
    }

    /** Outside a measured window: every token the window uses stays valid through it (fetched now if need be). */
    synchronized void validFor(Duration window, String... users) {
        long before = tokens.get().issued();
        for (String user : users) {
            tokens.get().token(user, window.plusSeconds(5));
        }
        issuedAtLastWindow = tokens.get().issued();
        issuedBeforeWindows += issuedAtLastWindow - before;
    }

    /** How often Keycloak was asked, before the measured windows and (a window outlasting a token) during them. */
    synchronized Map<String, Object> figures() {
        long issued = tokens.get().issued();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fetchedOutsideMeasuredWindows", issuedBeforeWindows);
        m.put("renewedDuringRuns", issued - issuedBeforeWindows);
        m.put("note", "tokens are fetched once and reused until 30 s before they expire (5 min); a request never asks Keycloak");
        return m;
    }
}
