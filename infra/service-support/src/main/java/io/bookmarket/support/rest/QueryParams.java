package io.bookmarket.support.rest;

import io.bookmarket.support.problem.ProblemException;

/**
 * Query parameters read as text and checked here, so a bad value is a 400 naming the parameter (JAX-RS would turn a
 * failed number conversion of a query parameter into a 404).
 */
public final class QueryParams {

    private QueryParams() {
    }

    public static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    /** A whole number from {@code min} to {@code max}. */
    public static long number(String name, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw invalid(name, "must be a whole number");
        }
        if (value < min || value > max) {
            throw invalid(name, max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                    ? "must be at least " + min : "must be between " + min + " and " + max);
        }
        return value;
    }

    public static ProblemException invalid(String name, String message) {
        return new ProblemException(400, "invalid-request", "Invalid request",
                "Query parameter '" + name + "' " + message + ".");
    }

}
