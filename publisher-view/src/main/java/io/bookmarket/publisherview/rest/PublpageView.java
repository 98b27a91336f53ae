package io.bookmarket.publisherview.rest;

import io.bookmarket.publisherview.domain.AppYn;
import io.bookmarket.publisherview.domain.PublStatus;
import io.bookmarket.publisherview.domain.Publpage;
import io.bookmarket.publisherview.domain.RegYn;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/** A publisher's view of one request, as the API shows it. Fields not yet reported by any event are null. */
@Schema(name = "Publpage", description = "A publisher's view of one registration request")
public record PublpageView(
        @Schema(description = "Registration request id", example = "12") Long reqId,
        @Schema(description = "Publisher id", example = "100") Long publId,
        @Schema(description = "Book id (null until the request's own event arrived)", example = "99") Long bookId,
        @Schema(description = "Book name (null until the request's own event arrived)", example = "mybook") String bookNm,
        @Schema(description = "Request status as regrequest-service reported it", example = "RegRequested") RegYn regYn,
        @Schema(description = "Review status as approval-service reported it (RegRequested = awaiting review)", example = "Approved") AppYn appYn,
        @Schema(description = "The status to show: ReqCanceled if the publisher cancelled, else the review outcome, else RegRequested (awaiting review)", example = "Approved") PublStatus status,
        @Schema(description = "Review (Approve) id", example = "7") Long approveId,
        @Schema(description = "When the view first heard of the request", example = "2026-11-24T10:15:30.123456Z") Instant createdAt,
        @Schema(description = "When the row last changed", example = "2026-11-24T10:15:31.002345Z") Instant updatedAt,
        @Schema(description = "occurredAt of the latest event applied", example = "2026-11-24T10:15:30.950000Z") Instant lastEventAt) {

    static PublpageView of(Publpage p) {
        return new PublpageView(p.reqId, p.publId, p.bookId, p.bookNm, p.regYn, p.appYn, p.status, p.approveId,
                p.createdAt, p.updatedAt, p.lastEventAt);
    }
}
