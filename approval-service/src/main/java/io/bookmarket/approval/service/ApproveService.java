package io.bookmarket.approval.service;

import io.bookmarket.approval.domain.AppYn;
import io.bookmarket.approval.domain.Approve;
import io.bookmarket.approval.event.AppCanceled;
import io.bookmarket.approval.event.ApproveEvent;
import io.bookmarket.support.problem.ProblemException;
import io.debezium.outbox.quarkus.ExportedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Opening, reading and deciding review tickets; applying regrequest-service's events to them. */
@ApplicationScoped
public class ApproveService {

    private static final Logger LOG = Logger.getLogger(ApproveService.class);

    @Inject
    Event<ExportedEvent<?, ?>> events;

    /** The ticket and whether this call opened it (false: it already existed, nothing changed). */
    public record Opened(ApproveView ticket, boolean created) {
    }

    /** A page of tickets and how many match in all. */
    public record Page(List<ApproveView> items, long total) {
    }

    /**
     * Opens the pending, unconfirmed ticket of a request, or returns the one it already has (retries are safe).
     * The request's RegRequested event confirms it later.
     */
    @Transactional
    public Opened open(long reqReqId, long publId) {
        // The loop only matters if the expiry job deletes the existing ticket between the two statements.
        for (int attempt = 1; ; attempt++) {
            Instant now = Approve.now();
            Optional<Long> created = Approve.openIfAbsent(reqReqId, publId, false, now);
            if (created.isPresent()) {
                LOG.infof("Review %d opened for request %d of publisher %d (awaiting the request's confirmation)",
                        created.get(), reqReqId, publId);
                return new Opened(new ApproveView(created.get(), reqReqId, publId, AppYn.RegRequested, false, now, null, null, null), true);
            }
            Approve ticket = Approve.findByReqReqId(reqReqId).orElse(null);
            if (ticket != null) {
                if (ticket.publId != publId) {
                    LOG.warnf("Request %d asked again for a review with publisher %d, but its review %d is for publisher %d: kept as it is",
                            reqReqId, publId, ticket.id, ticket.publId);
                }
                return new Opened(ApproveView.of(ticket), false);
            }
            if (attempt == 3) {
                throw new IllegalStateException("Could not open the review of request " + reqReqId);
            }
        }
    }

    /** The ticket, or null when there is none. */
    @Transactional
    public ApproveView findOrNull(long id) {
        return Approve.byId(id).map(ApproveView::of).orElse(null);
    }

    @Transactional
    public ApproveView find(long id) {
        return Approve.byId(id).map(ApproveView::of)
                .orElseThrow(() -> ProblemException.notFound("review", id));
    }

    @Transactional
    public Page list(Approve.Filter filter, int page, int size) {
        return new Page(Approve.page(filter, page, size).stream().map(ApproveView::of).toList(), Approve.count(filter));
    }

    /**
     * A reviewer's decision: the transition and its event, in one transaction. Repeating the current status changes
     * nothing and publishes nothing. A concurrent change of the same ticket fails the version check (409, see rest).
     */
    @Transactional
    public ApproveView decide(long id, AppYn decision) {
        Approve ticket = Approve.byId(id).orElseThrow(() -> ProblemException.notFound("review", id));
        if (!ticket.confirmed) {
            throw new ProblemException(409, "not-confirmed", "Review not yet confirmed",
                    "Review " + id + " is not yet confirmed: request " + ticket.reqReqId
                            + " has not been stored by regrequest-service (yet), so it cannot be decided.");
        }
        switch (ticket.decide(decision)) {
            case ALREADY -> {
                return ApproveView.of(ticket);
            }
            case REFUSED -> throw ProblemException.conflict("Review " + id + " is " + ticket.appYn + " and cannot become "
                    + decision + (ticket.appYn.isFinal() ? ": " + ticket.appYn + " is final." : "."));
            case MOVED -> events.fire(ApproveEvent.of(ticket));
        }
        // Surfaces a concurrent change (version check) here, inside the method, rather than at commit.
        Approve.flush();
        LOG.infof("Request %d %s by review %d", ticket.reqReqId, words(decision), id);
        return ApproveView.of(ticket);
    }

    /**
     * The request was stored (its RegRequested event arrived): its ticket is confirmed and enters the reviewers'
     * queue. With no ticket (it expired before a late event, or was never opened) one is opened, confirmed: the
     * request really exists, so it must be reviewed. Runs in the consumer's transaction.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void requestFiled(long reqReqId, long publId, long bookId, String bookNm) {
        // The usual case in one statement; the rest (no ticket, already confirmed) below.
        if (Approve.confirmIfUnconfirmed(reqReqId, bookId, bookNm)) {
            LOG.infof("The review of request %d is confirmed: the request was stored, the review is in the queue", reqReqId);
            return;
        }
        Approve ticket = Approve.lockByReqReqId(reqReqId).orElse(null);
        if (ticket == null) {
            if (Approve.openIfAbsent(reqReqId, publId, true, Approve.now()).isPresent()) {
                LOG.infof("Request %d of publisher %d was filed but had no review (expired or never opened): review opened, in the queue",
                        reqReqId, publId);
            }
            // Opened just now, here or by a concurrent POST.
            ticket = Approve.lockByReqReqId(reqReqId).orElseThrow();
        } else if (ticket.confirmed) {
            LOG.infof("Review %d of request %d was already confirmed: nothing to do", ticket.id, reqReqId);
        } else {
            // Unconfirmed after all: opened by a concurrent POST between the two statements.
            LOG.infof("Review %d of request %d confirmed: the request was stored, the review is in the queue", ticket.id, reqReqId);
        }
        ticket.confirmed = true;
        ticket.bookId = bookId;
        ticket.bookNm = bookNm;
    }

    /** The queue: confirmed reviews waiting for a decision, newest first. */
    @Transactional
    public Page pending(int page, int size) {
        return list(new Approve.Filter(AppYn.RegRequested, null, null, true), page, size);
    }

    /** Confirmed reviews that were decided (approved, rejected or cancelled), most recently decided first. */
    @Transactional
    public Page decided(int page, int size) {
        return new Page(Approve.decided(page, size).stream().map(ApproveView::of).toList(), Approve.countDecided());
    }

    /**
     * The publisher cancelled the request (ReqCanceled): its review is cancelled and AppCanceled published, whatever
     * the reviewers decided, a rejection included; only a review already AppCanceled stays as it is. A rejection can
     * only meet a ReqCanceled when the two crossed (regrequest-service refuses to cancel a request it knows is
     * rejected), and regrequest-service keeps the ReqCanceled, so the review follows it. Runs in the consumer's
     * transaction; the row lock makes a reviewer's concurrent PATCH fail its version check (409).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void requestCanceled(long reqReqId) {
        Approve ticket = Approve.lockByReqReqId(reqReqId).orElse(null);
        if (ticket == null) {
            LOG.infof("Request %d was cancelled by its publisher, but it has no review (expired or never opened): nothing to cancel",
                    reqReqId);
            return;
        }
        // The request existed (it was cancelled), so the ticket is no orphan: the expiry job must keep it.
        ticket.confirmed = true;
        AppYn before = ticket.appYn;
        if (!ticket.cancelWithRequest()) {
            LOG.infof("Request %d was cancelled by its publisher; its review %d is already %s: nothing to do",
                    reqReqId, ticket.id, ticket.appYn);
            return;
        }
        events.fire(AppCanceled.of(ticket));
        if (before == AppYn.Rejected) {
            LOG.infof("Review %d had rejected request %d while its publisher cancelled it: the publisher's cancel wins, review cancelled",
                    ticket.id, reqReqId);
        } else {
            LOG.infof("Review %d cancelled because its request %d was cancelled by the publisher", ticket.id, reqReqId);
        }
    }

    private static String words(AppYn decision) {
        return switch (decision) {
            case Approved -> "approved";
            case Rejected -> "rejected";
            case AppCanceled -> "review cancelled";
            case RegRequested -> "pending";
        };
    }
}
