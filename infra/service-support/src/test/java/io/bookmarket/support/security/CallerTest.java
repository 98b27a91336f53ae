package io.bookmarket.support.security;

import jakarta.json.Json;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The publId claim names a publisher only as a positive whole number, never by rounding or guessing. */
class CallerTest {

    @Test
    void positiveWholeNumbersAndDigitStringsNameAPublisher() {
        assertThat(Caller.claimAsLong(100L)).isEqualTo(100L);
        assertThat(Caller.claimAsLong(7)).isEqualTo(7L);
        assertThat(Caller.claimAsLong("100")).isEqualTo(100L);
        assertThat(Caller.claimAsLong(Json.createValue(200L))).isEqualTo(200L);
        assertThat(Caller.claimAsLong(Json.createValue("300"))).isEqualTo(300L);
        assertThat(Caller.claimAsLong(BigInteger.valueOf(400))).isEqualTo(400L);
        assertThat(Caller.claimAsLong(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void everyOtherShapeNamesNoPublisher() {
        List<Object> shapes = Arrays.asList(
                null, 100.9, 100.0, 100.9f, new BigDecimal("100.5"), new BigDecimal("100"), // fractions and decimals
                Json.createValue(100.9), Json.createValue(new BigDecimal("1E2")),
                0L, -5L, -1, Json.createValue(-3L), Json.createValue(0L),                    // zero and negatives
                "0", "-1", "+5", " 5", "5 ", "1e3", "100.0", "0x10", "", "١٢٣",                 // not plain digits
                "99999999999999999999", new BigInteger("99999999999999999999"),                // beyond a long
                Json.createValue(new BigInteger("99999999999999999999")),
                true, List.of(100L), Map.of("id", 100L),                                       // other JSON shapes
                Json.createArrayBuilder().add(100).build(), Json.createObjectBuilder().add("id", 100).build());
        for (Object shape : shapes) {
            assertThat(Caller.claimAsLong(shape)).as("publId claim %s (%s)", shape,
                    shape == null ? "null" : shape.getClass().getSimpleName()).isNull();
        }
    }
}
