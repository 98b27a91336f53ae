package io.bookmarket.regrequest.service;

import io.bookmarket.regrequest.domain.RegRequest;
import io.bookmarket.regrequest.domain.RegYn;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/** A registration request as clients see it (the original's field names). */
@Schema(name = "RegRequest", description = "A registration request and its status")
public record RegRequestView(
        @Schema(examples = "12") Long id,
        @Schema(examples = "99") long bookId,
        @Schema(examples = "mybook") String bookNm,
        @Schema(examples = "100") long publId,
        @Schema(description = "RegRequested (awaiting review), Approved, Rejected, ReqCanceled (by the publisher), AppCanceled (by the reviewer)",
                examples = "RegRequested") RegYn regYn,
        @Schema(examples = "2026-11-24T09:15:30.123456Z") Instant createdAt,
        @Schema(examples = "2026-11-24T09:15:30.123456Z") Instant updatedAt) {

    public static RegRequestView of(RegRequest r) {
        return new RegRequestView(r.id, r.bookId, r.bookNm, r.publId, r.regYn, r.createdAt, r.updatedAt);
    }
}
