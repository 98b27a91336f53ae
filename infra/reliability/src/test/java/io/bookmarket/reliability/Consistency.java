package io.bookmarket.reliability;

import io.bookmarket.reliability.Topics.Rec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.bookmarket.reliability.Topics.APPROVE_TOPIC;
import static io.bookmarket.reliability.Topics.REGREQUEST_TOPIC;

/**
 * Whether the three services agree, and whether every state change reached every consumer once in effect.
 * <p>
 * Agreement, by the request's status in regrequest-service (the documented state machines):
 * RegRequested: ticket RegRequested, view RegRequested; Approved: Approved, Approved; Rejected: Rejected, Rejected;
 * ReqCanceled: ticket AppCanceled, view ReqCanceled; AppCanceled: AppCanceled, AppCanceled.
 */
final class Consistency {

    record Figures(int requests, int outboxEvents, int duplicateDeliveries, int doubleEffects, int missingDeliveries,
            List<String> problems) {

        boolean consistent() {
            return problems.isEmpty();
        }
    }

    private final Databases db;
    private final Topics topics;

    Consistency(Databases db, Topics topics) {
        this.db = db;
        this.topics = topics;
    }

    static String expectedTicket(String regYn) {
        return switch (regYn) {
            case "ReqCanceled" -> "AppCanceled";
            default -> regYn;
        };
    }

    /** Everything checked at once; {@code accepted} are the ids that got a 201 (they must all exist). */
    Figures check(Collection<Long> accepted) {
        List<String> problems = new ArrayList<>();
        Map<Long, String> requests = db.requests();
        Map<Long, Databases.Ticket> tickets = db.ticketsByRequest();
        Map<Long, String> views = db.views();
        for (long id : accepted) {
            if (!requests.containsKey(id)) {
                problems.add("LOST: request " + id + " got a 201 but is not stored");
            }
        }
        for (Map.Entry<Long, String> request : requests.entrySet()) {
            long id = request.getKey();
            String regYn = request.getValue();
            Databases.Ticket ticket = tickets.get(id);
            if (ticket == null) {
                problems.add("request " + id + " (" + regYn + ") has no ticket");
            } else if (!ticket.appYn().equals(expectedTicket(regYn))) {
                problems.add("request " + id + " is " + regYn + " but its ticket " + ticket.id() + " is " + ticket.appYn());
            } else if (!ticket.confirmed()) {
                problems.add("request " + id + " is stored but its ticket " + ticket.id() + " is not confirmed");
            }
            String view = views.get(id);
            if (!regYn.equals(view)) {
                problems.add("request " + id + " is " + regYn + " but publisher-view shows " + view);
            }
        }

        List<Rec> requestEvents = topics.outboxEvents(REGREQUEST_TOPIC);
        List<Rec> approveEvents = topics.outboxEvents(APPROVE_TOPIC);
        int duplicates = duplicates(requestEvents) + duplicates(approveEvents);
        int doubleEffects = doubleEffects(requestEvents, problems) + doubleEffects(approveEvents, problems);

        // Every event reached every consumer, and was applied (recorded) exactly once: the processed-event log is
        // keyed by event id, so "recorded" is at most once; "missing" counts the ones never applied.
        int missing = 0;
        missing += missing("approval", REGREQUEST_TOPIC, requestEvents, problems);
        missing += missing("publisherview", REGREQUEST_TOPIC, requestEvents, problems);
        missing += missing("regrequest", APPROVE_TOPIC, approveEvents, problems);
        missing += missing("publisherview", APPROVE_TOPIC, approveEvents, problems);

        // Every final state has its event: no state change without its message.
        Set<String> requestKeyTypes = requestEvents.stream().map(r -> r.key() + "/" + r.eventType()).collect(Collectors.toSet());
        Set<String> approveKeyTypes = approveEvents.stream().map(r -> r.key() + "/" + r.eventType()).collect(Collectors.toSet());
        for (Map.Entry<Long, String> request : requests.entrySet()) {
            if (!requestKeyTypes.contains(request.getKey() + "/RegRequested")) {
                problems.add("request " + request.getKey() + " has no RegRequested event");
            }
            if (request.getValue().equals("ReqCanceled") && !requestKeyTypes.contains(request.getKey() + "/ReqCanceled")) {
                problems.add("request " + request.getKey() + " is ReqCanceled without a ReqCanceled event");
            }
        }
        for (Databases.Ticket ticket : tickets.values()) {
            if (!ticket.appYn().equals("RegRequested") && !approveKeyTypes.contains(ticket.id() + "/" + ticket.appYn())) {
                problems.add("ticket " + ticket.id() + " is " + ticket.appYn() + " without its event");
            }
        }
        return new Figures(requests.size(), requestEvents.size() + approveEvents.size(), duplicates, doubleEffects, missing,
                problems.size() > 20 ? List.copyOf(problems.subList(0, 20)) : problems);
    }

    /** Deliveries of an event id already delivered (Debezium is at least once, e.g. after a crash of Connect). */
    private static int duplicates(List<Rec> events) {
        return events.size() - (int) events.stream().map(Rec::eventId).distinct().count();
    }

    /** Two different events of the same kind for one aggregate: a state change that happened twice. */
    private static int doubleEffects(List<Rec> events, List<String> problems) {
        Map<String, Set<String>> idsByKeyAndType = new HashMap<>();
        for (Rec r : events) {
            idsByKeyAndType.computeIfAbsent(r.topic() + " " + r.key() + "/" + r.eventType(), k -> new HashSet<>()).add(r.eventId());
        }
        int doubles = 0;
        for (Map.Entry<String, Set<String>> e : idsByKeyAndType.entrySet()) {
            if (e.getValue().size() > 1) {
                doubles += e.getValue().size() - 1;
                problems.add("DOUBLE EFFECT: " + e.getKey() + " published " + e.getValue().size() + " times");
            }
        }
        return doubles;
    }

    private int missing(String database, String topic, List<Rec> events, List<String> problems) {
        Set<String> applied = db.processed(database, topic);
        Set<String> published = events.stream().map(Rec::eventId).collect(Collectors.toSet());
        Set<String> notApplied = new HashSet<>(published);
        notApplied.removeAll(applied);
        if (!notApplied.isEmpty()) {
            problems.add(database + " has not applied " + notApplied.size() + " events of " + topic + " (e.g. " + notApplied.iterator().next() + ")");
        }
        return notApplied.size();
    }
}
