package io.bookmarket.support.messaging;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a consumer does with each event type of a topic, e.g.
 * {@code EventHandlers.on("RegRequested", e -> ...).and("ReqCanceled", e -> ...)}. {@link EventConsumption} parses
 * each record, refuses a type that has no handler (dead-letter topic), skips a duplicate and calls the handler.
 */
public final class EventHandlers {

    private final Map<String, Consumer<IncomingEvent>> byType;

    private EventHandlers(Map<String, Consumer<IncomingEvent>> byType) {
        this.byType = byType;
    }

    public static EventHandlers on(String eventType, Consumer<IncomingEvent> handler) {
        return new EventHandlers(Map.of()).with(eventType, handler);
    }

    /** These handlers and one more; each type has exactly one handler. */
    public EventHandlers and(String eventType, Consumer<IncomingEvent> handler) {
        return with(eventType, handler);
    }

    private EventHandlers with(String eventType, Consumer<IncomingEvent> handler) {
        if (byType.containsKey(eventType)) {
            throw new IllegalArgumentException("Two handlers for event type " + eventType);
        }
        Map<String, Consumer<IncomingEvent>> more = new LinkedHashMap<>(byType);
        more.put(eventType, handler);
        return new EventHandlers(Map.copyOf(more));
    }

    /** The event types handled; any other type on the topic is unprocessable. */
    public Set<String> types() {
        return byType.keySet();
    }

    void handle(IncomingEvent event) {
        byType.get(event.eventType()).accept(event);
    }
}
