package io.bookmarket.support.messaging;

/** A message that can never be processed (not JSON, no event id, unknown type ...): it goes to the dead-letter topic. */
public class PoisonEventException extends RuntimeException {

    public PoisonEventException(String message) {
        super(message);
    }

    public PoisonEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
