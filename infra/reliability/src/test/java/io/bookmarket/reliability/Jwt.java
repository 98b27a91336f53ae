package io.bookmarket.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Reads and forges JWS access tokens (header.payload.signature, base64url without padding), for the hostile probes:
 * every forgery keeps the token well-formed, so what refuses it is the service's signature and claim checks.
 */
final class Jwt {

    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();

    private Jwt() {
    }

    static JsonNode header(String token) {
        return json(token.split("\\.")[0]);
    }

    static JsonNode payload(String token) {
        return json(token.split("\\.")[1]);
    }

    /** The token's expiry, seconds since the epoch. */
    static long exp(String token) {
        return payload(token).path("exp").asLong();
    }

    /** The signature with a few bits flipped (first, middle and last byte): header and claims untouched. */
    static String tamperedSignature(String token) {
        String[] parts = token.split("\\.");
        byte[] signature = DECODE.decode(parts[2]);
        for (int i : new int[] {0, signature.length / 2, signature.length - 1}) {
            signature[i] ^= 0x5a;
        }
        return parts[0] + "." + parts[1] + "." + ENCODE.encodeToString(signature);
    }

    /**
     * The claims changed, the original signature kept: every realm role granted and, for a publisher, another
     * publId (privilege escalation and impersonation in one).
     */
    static String tamperedClaims(String token) {
        String[] parts = token.split("\\.");
        ObjectNode claims = (ObjectNode) payload(token);
        ArrayNode roles = claims.putObject("realm_access").putArray("roles");
        roles.add("publisher").add("reviewer").add("admin").add("review-opener");
        if (claims.has("publId")) {
            claims.put("publId", claims.path("publId").asLong() + 100);
        }
        return parts[0] + "." + encode(claims) + "." + parts[2];
    }

    /** {@code alg: none}: the genuine claims, no signature; {@code keepKid} also keeps the genuine key id. */
    static String unsigned(String token, boolean keepKid) {
        ObjectNode header = Http.JSON.createObjectNode().put("alg", "none").put("typ", "JWT");
        if (keepKid) {
            header.put("kid", header(token).path("kid").asText());
        }
        return encode(header) + "." + token.split("\\.")[1] + ".";
    }

    /**
     * Algorithm confusion: the genuine claims signed with HS256, the realm's public key (PEM, as anyone can read it)
     * as the HMAC secret: a verifier that took the header's alg at its word would accept it.
     */
    static String hmacWithPublicKey(String token, String publicKeyBase64) {
        ObjectNode header = Http.JSON.createObjectNode().put("alg", "HS256").put("typ", "JWT")
                .put("kid", header(token).path("kid").asText());
        String signed = encode(header) + "." + token.split("\\.")[1];
        String pem = "-----BEGIN PUBLIC KEY-----\n" + publicKeyBase64 + "\n-----END PUBLIC KEY-----\n";
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pem.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            return signed + "." + ENCODE.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(String part) {
        try {
            return Http.JSON.readTree(DECODE.decode(part));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(JsonNode json) {
        return ENCODE.encodeToString(Http.write(json).getBytes(StandardCharsets.UTF_8));
    }
}
