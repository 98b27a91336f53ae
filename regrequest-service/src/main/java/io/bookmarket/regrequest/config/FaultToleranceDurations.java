package io.bookmarket.regrequest.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import jakarta.annotation.Priority;

import java.util.regex.Pattern;

/**
 * Lets the fault-tolerance durations ({@code quarkus.fault-tolerance."...".timeout.value}, {@code ...delay},
 * {@code ...max-duration}) be written as durations ({@code 2s}, {@code 500ms}, {@code PT1M}), e.g.
 * {@code APPROVAL_BREAKER_DELAY=3s}: SmallRye Fault Tolerance reads them as numbers, so such a value is handed over
 * in milliseconds (the matching {@code *-unit} keys say {@code millis}). Plain numbers pass unchanged.
 */
@Priority(io.smallrye.config.Priorities.APPLICATION + 100)
public class FaultToleranceDurations implements ConfigSourceInterceptor {

    private static final Pattern DURATION_KEY = Pattern.compile("(%[^.]+\\.)?quarkus\\.fault-tolerance\\..*\\.(value|delay|max-duration)");
    private static final Pattern WITH_UNIT = Pattern.compile("(?i)\\d+(\\.\\d+)?(ms|s|m|h|d)|P.*");

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        // Matched on the name the value was found under: SmallRye FT asks by its own key names, which Quarkus relocates.
        if (value == null || value.getValue() == null || value.getName() == null
                || !DURATION_KEY.matcher(value.getName()).matches()
                || !WITH_UNIT.matcher(value.getValue().trim()).matches()) {
            return value;
        }
        long millis = DurationConverter.parseDuration(value.getValue().trim()).toMillis();
        return value.withValue(Long.toString(millis));
    }
}
