package io.bookmarket.publisherview;

import io.bookmarket.support.testing.TestTokens;
import io.restassured.specification.RequestSpecification;

import static io.restassured.RestAssured.given;

/** The callers of the tests, each with its access token. */
final class Callers {

    private Callers() {
    }

    /** Reads every publisher's rows. */
    static RequestSpecification asReviewer() {
        return given().auth().oauth2(TestTokens.reviewer());
    }

    /** Reads everything and may rebuild the view. */
    static RequestSpecification asAdmin() {
        return given().auth().oauth2(TestTokens.admin());
    }

    /** Reads only its own rows. */
    static RequestSpecification asPublisher(long publId) {
        return given().auth().oauth2(TestTokens.publisher(publId));
    }
}
