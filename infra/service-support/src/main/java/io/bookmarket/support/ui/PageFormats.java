package io.bookmarket.support.ui;

import io.quarkus.qute.TemplateExtension;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the pages show values: {@code {request.createdAt.shown}}. */
@TemplateExtension
public final class PageFormats {

    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private PageFormats() {
    }

    /** To the minute, in UTC (the page says so); the exact instant stays in the time element's datetime. */
    static String shown(Instant instant) {
        return instant == null ? "" : MINUTES.format(instant);
    }
}
