package io.bookmarket.support.testing;

import io.restassured.response.Response;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** What every refusal of an identity looks like: RFC 9457 problem JSON; a 401 with its RFC 6750 challenge. */
public final class AccessAnswers {

    private AccessAnswers() {
    }

    /** No token: 401 with {@code WWW-Authenticate: Bearer ...} and no error code. */
    public static void assertNoToken(Response response) {
        assertUnauthorized(response);
        response.then().header("WWW-Authenticate", equalTo("Bearer realm=\"bookmarket\""));
    }

    /** A token that is not valid here: 401, {@code error="invalid_token"}. */
    public static void assertInvalidToken(Response response) {
        assertUnauthorized(response);
        response.then().header("WWW-Authenticate", equalTo("Bearer realm=\"bookmarket\", error=\"invalid_token\""));
    }

    public static void assertUnauthorized(Response response) {
        response.then().statusCode(401).contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", equalTo(401)).body("type", equalTo("urn:bookmarket:problem:unauthorized"));
    }

    /** A valid token without the role: 403. */
    public static void assertForbidden(Response response) {
        response.then().statusCode(403).contentType(startsWith("application/problem+json"))
                .body("status", equalTo(403)).body("type", equalTo("urn:bookmarket:problem:forbidden"));
    }
}
