package io.bookmarket.approval.service;

import io.bookmarket.approval.domain.AppYn;
import io.bookmarket.approval.domain.Approve;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/** A review ticket as clients read it. */
@Schema(name = "Approve", description = "The product team's review ticket of one registration request")
public record ApproveView(
        @Schema(description = "Ticket id", examples = "7") long id,
        @Schema(description = "The registration request under review (one ticket per request)", examples = "12") long reqReqId,
        @Schema(description = "The publisher who filed the request", examples = "1002") long publId,
        @Schema(description = "RegRequested = pending review; Approved; Rejected (final for reviewers; becomes AppCanceled if the "
                + "publisher's cancel crossed it); AppCanceled (final)",
                examples = "RegRequested") AppYn appYn,
        @Schema(description = "True once the request's RegRequested event arrived: only confirmed tickets are reviewed")
        boolean confirmed,
        @Schema(description = "When the ticket was opened (ISO-8601, UTC)", examples = "2026-11-24T09:15:30.123456Z")
        Instant createdAt,
        @Schema(description = "When the last decision was taken; null while pending", nullable = true,
                examples = "2026-11-24T09:20:02.000001Z") Instant decidedAt,
        @Schema(description = "The book under review; null until the ticket is confirmed", nullable = true, examples = "99")
        Long bookId,
        @Schema(description = "The book's name; null until the ticket is confirmed", nullable = true, examples = "mybook")
        String bookNm) {

    public static ApproveView of(Approve ticket) {
        return new ApproveView(ticket.id, ticket.reqReqId, ticket.publId, ticket.appYn, ticket.confirmed,
                ticket.createdAt, ticket.decidedAt, ticket.bookId, ticket.bookNm);
    }
}
