package io.bookmarket.support.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrictIdsTest {

    record Body(Long bookId, long publId) {
    }

    private final ObjectMapper mapper = new ObjectMapper();

    StrictIdsTest() {
        new StrictIds().customize(mapper);
    }

    @Test
    void numbersAndPlainDecimalStringsAreAccepted() throws Exception {
        assertThat(mapper.readValue("{\"bookId\": 10, \"publId\": 11}", Body.class)).isEqualTo(new Body(10L, 11));
        assertThat(mapper.readValue("{\"bookId\": \"10\", \"publId\": \" 11 \"}", Body.class)).isEqualTo(new Body(10L, 11));
        assertThat(mapper.readValue("{\"bookId\": null, \"publId\": 1}", Body.class).bookId()).isNull();
    }

    @Test
    void stringsThatAreNotPlainDecimalNumbersAreRefused() {
        for (String bad : new String[] { "\"1\\u0000\"", "\"1 OR 1=1\"", "\"0x10\"", "\"1e3\"", "\"\\u0661\"" }) {
            assertThatThrownBy(() -> mapper.readValue("{\"bookId\": " + bad + ", \"publId\": 1}", Body.class))
                    .as(bad).isInstanceOf(InvalidFormatException.class);
        }
    }
}
