package io.bookmarket.support.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * Whole numbers sent as strings ("bookId": "10", as the original's clients do) stay accepted, but only when the
 * string is a plain decimal number: Jackson's default trims every character up to U+0020, so "1\u0000" was read
 * as 1 and stored (found by the reliability suite's hostile input).
 */
@Singleton
public class StrictIds implements ObjectMapperCustomizer {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]{1,19}");

    @Override
    public void customize(ObjectMapper mapper) {
        SimpleModule module = new SimpleModule("bookmarket-strict-ids");
        module.addDeserializer(Long.class, new StrictLong(Long.class, new NumberDeserializers.LongDeserializer(Long.class, null)));
        module.addDeserializer(long.class, new StrictLong(long.class, new NumberDeserializers.LongDeserializer(long.class, 0L)));
        mapper.registerModule(module);
    }

    static final class StrictLong extends StdDeserializer<Long> {

        private final NumberDeserializers.LongDeserializer standard;

        StrictLong(Class<?> type, NumberDeserializers.LongDeserializer standard) {
            super(type);
            this.standard = standard;
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                String text = p.getText().strip();
                if (!text.isEmpty() && !DECIMAL.matcher(text).matches()) {
                    return (Long) ctxt.handleWeirdStringValue(handledType(), p.getText(), "not a whole decimal number");
                }
            }
            return standard.deserialize(p, ctxt);
        }

        @Override
        public Long getNullValue(DeserializationContext ctxt) throws com.fasterxml.jackson.databind.JsonMappingException {
            return standard.getNullValue(ctxt);
        }
    }
}
