package io.bookmarket.regrequest.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bookmarket.regrequest.client.ApprovalReview;
import io.bookmarket.regrequest.domain.IdempotencyKey;
import io.bookmarket.regrequest.domain.RegRequest;
import io.bookmarket.regrequest.domain.RequestIds;
import io.bookmarket.regrequest.domain.RegYn;
import io.bookmarket.regrequest.event.RegRequested;
import io.bookmarket.regrequest.event.ReqCanceled;
import io.bookmarket.support.Infrastructure;
import io.bookmarket.support.problem.ProblemException;
import io.debezium.outbox.quarkus.ExportedEvent;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.OptionalLong;

/** Filing, reading and cancelling registration requests; applying the reviewers' decisions. */
@ApplicationScoped
public class RegRequestService {

    private static final Logger LOG = Logger.getLogger(RegRequestService.class);

    @Inject
    ApprovalReview approvalReview;

    @Inject
    IdempotencyKey idempotencyKeys;

    @Inject
    RequestIds ids;

    @Inject
    FilingQueue queue;

    @Inject
    Event<ExportedEvent<?, ?>> events;

    @Inject
    ObjectMapper json;

    /** A page of requests and how many there are in all. */
    public record Page(List<RegRequestView> items, long total) {
    }

    /**
     * Files a request: the review ticket is opened first (synchronously, under the breaker); only when
     * approval-service accepted it are the row and its RegRequested event stored, in one transaction.
     *
     * @param idempotencyKey the client's Idempotency-Key, or null
     * @throws ProblemException 503 when the review cannot be opened (nothing is stored), 422 for a reused key
     */
    public RegRequestView file(NewRegRequest body, String idempotencyKey) {
        approvalReview.refuseWhileOpen(body.publId());
        return queue.inTurn(() -> fileInTurn(body, idempotencyKey));
    }

    private RegRequestView fileInTurn(NewRegRequest body, String idempotencyKey) {
        if (idempotencyKey == null) {
            // No transaction is held open during the remote call: the id comes from memory, the row is stored after.
            long id = ids.next();
            approvalReview.open(id, body.publId());
            return QuarkusTransaction.requiringNew().call(() -> store(id, body, null));
        }
        String fingerprint = body.fingerprint();
        // Each publisher's keys are its own: two publishers may pick the same key without meeting each other.
        String key = body.publId() + ":" + idempotencyKey;
        IdempotencyKey.Entry entry = idempotencyKeys.reserve(key, fingerprint, ids.next());
        if (!entry.bodyHash().equals(fingerprint)) {
            throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused with another body",
                    "The Idempotency-Key '" + idempotencyKey + "' was already used with a different request body; "
                            + "use a new key for a new request.");
        }
        if (entry.response() != null) {
            return read(entry.response());
        }
        // Also for a retry after a failure or a concurrent duplicate: the same id, so the same review ticket.
        approvalReview.open(entry.requestId(), body.publId());
        try {
            return QuarkusTransaction.requiringNew().call(() -> store(entry.requestId(), body, key));
        } catch (RuntimeException e) {
            if (Infrastructure.unavailable(e)) {
                // The database failed, perhaps during the COMMIT itself: that is the answer (503, possibly "outcome
                // unknown"), not whatever a lookup on the same failing database would say.
                throw e;
            }
            // A concurrent duplicate stored the request first (primary key): answer as it did.
            IdempotencyKey.Entry winner = idempotencyKeys.find(key);
            if (winner != null && winner.response() != null) {
                LOG.infof("Request %d: a concurrent duplicate (same Idempotency-Key) stored it first; same answer", entry.requestId());
                return read(winner.response());
            }
            throw e;
        }
    }

    /** @param key the publisher's Idempotency-Key as stored (publId:key), or null */
    private RegRequestView store(long id, NewRegRequest body, String key) {
        RegRequest request = RegRequest.filed(id, body.bookId(), body.bookNm(), body.publId());
        request.persistAndFlush();
        events.fire(RegRequested.of(request));
        RegRequestView view = RegRequestView.of(request);
        if (key != null) {
            idempotencyKeys.answered(key, write(view));
        }
        LOG.infof("Request %d filed: book %d '%s' of publisher %d, awaiting review", id, body.bookId(), body.bookNm(), body.publId());
        return view;
    }

    /**
     * @param owner the publisher the caller is, or empty for a caller who reads everything
     * @throws ProblemException 404 when there is no such request or it is another publisher's (the same answer: a
     *                          publisher never learns that another's request exists)
     */
    @Transactional
    public RegRequestView find(long id, OptionalLong owner) {
        return RegRequest.<RegRequest>findByIdOptional(id).filter(r -> ownedBy(r, owner)).map(RegRequestView::of)
                .orElseThrow(() -> notFound(id));
    }

    @Transactional
    public Page list(Long publId, int page, int size) {
        return new Page(RegRequest.newestFirst(publId, page, size).stream().map(RegRequestView::of).toList(),
                RegRequest.countFor(publId));
    }

    /**
     * The publisher cancels: the row stays, with regYn ReqCanceled, and ReqCanceled is published (approval-service
     * then cancels the review). Cancelling again answers the same and publishes nothing.
     */
    @Transactional
    public RegRequestView cancel(long id, long publId) {
        RegRequest request = RegRequest.lockById(id).filter(r -> r.publId == publId).orElseThrow(() -> notFound(id));
        switch (request.moveTo(RegYn.ReqCanceled)) {
            case REFUSED -> throw ProblemException.conflict(
                    "Request " + id + " is " + request.regYn + ": its review is over, it can no longer be cancelled.");
            case MOVED -> {
                events.fire(ReqCanceled.of(request));
                LOG.infof("Request %d cancelled by its publisher %d", id, publId);
            }
            case ALREADY -> {
            }
        }
        return RegRequestView.of(request);
    }

    /**
     * A reviewer's decision (Approved, Rejected, AppCanceled) arrived; runs in the consumer's transaction. A request
     * the publisher cancelled stays ReqCanceled whatever arrives (a decision that crossed the cancel, a rejection
     * included: approval-service turns its review into AppCanceled when our ReqCanceled reaches it).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void reviewed(long requestId, long ticketId, RegYn decision) {
        RegRequest request = RegRequest.lockById(requestId).orElse(null);
        if (request == null) {
            LOG.warnf("Ignoring %s of review %d: there is no request %d", decision, ticketId, requestId);
        } else if (request.regYn == RegYn.ReqCanceled && decision == RegYn.AppCanceled) {
            LOG.infof("Review %d of request %d cancelled, as its publisher asked", ticketId, requestId);
        } else if (request.regYn == RegYn.ReqCanceled && decision == RegYn.Rejected) {
            // The rejection and the cancel crossed: approval-service answers our ReqCanceled with AppCanceled.
            LOG.infof("Review %d rejected request %d while its publisher cancelled it: the publisher's cancel wins, the request stays ReqCanceled",
                    ticketId, requestId);
        } else {
            switch (request.moveTo(decision)) {
                case ALREADY -> LOG.infof("Request %d is already %s (review %d): nothing to do", requestId, decision, ticketId);
                case REFUSED -> LOG.warnf("Ignoring %s of review %d: request %d is %s", decision, ticketId, requestId, request.regYn);
                case MOVED -> LOG.infof("Request %d %s by review %d", requestId, switch (decision) {
                    case Approved -> "approved";
                    case Rejected -> "rejected";
                    case AppCanceled -> "cancelled";
                    default -> decision.name();
                }, ticketId);
            }
        }
    }

    private static boolean ownedBy(RegRequest request, OptionalLong owner) {
        return owner.isEmpty() || request.publId == owner.getAsLong();
    }

    private static ProblemException notFound(long id) {
        return ProblemException.notFound("registration request", id);
    }

    private String write(RegRequestView view) {
        try {
            return json.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private RegRequestView read(String stored) {
        try {
            return json.readValue(stored, RegRequestView.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
