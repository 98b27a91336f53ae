package io.bookmarket.approval.service;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of POST /approves. Field names match case-insensitively (the original's load test sends "appYN"),
 * numbers may come as strings ("10"); {@code appYn} is accepted but ignored: every ticket starts pending.
 */
@JsonFormat(with = JsonFormat.Feature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(name = "NewApprove", description = "Opens the review ticket of a registration request")
public record NewApprove(
        @NotNull @Positive @Schema(description = "The registration request (positive whole number; \"10\" accepted)",
                examples = "12", required = true) Long reqReqId,
        @NotNull @Positive @Schema(description = "Its publisher (positive whole number; \"1002\" accepted)",
                examples = "1002", required = true) Long publId,
        @Schema(description = "Ignored: a new ticket is always pending (RegRequested)", examples = "RegRequested")
        String appYn) {
}
