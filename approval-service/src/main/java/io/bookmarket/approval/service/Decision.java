package io.bookmarket.approval.service;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.bookmarket.approval.domain.AppYn;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of PATCH /approves/{id}: a reviewer's decision. The original's "Y" / "N" mean Approved / Rejected. */
@JsonFormat(with = JsonFormat.Feature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(name = "Decision", description = "A reviewer's decision")
public record Decision(
        @NotNull
        @Pattern(regexp = "(?i)Approved|Rejected|AppCanceled|Y|N", message = "must be Approved, Rejected, AppCanceled, Y or N")
        @Schema(description = "Approved, Rejected or AppCanceled; Y = Approved and N = Rejected, as in the original",
                enumeration = { "Approved", "Rejected", "AppCanceled", "Y", "N" }, examples = "Approved", required = true)
        String appYn) {

    /** The target status (the value has been validated). */
    public AppYn target() {
        if (appYn.equalsIgnoreCase("Y")) {
            return AppYn.Approved;
        }
        if (appYn.equalsIgnoreCase("N")) {
            return AppYn.Rejected;
        }
        for (AppYn value : AppYn.values()) {
            if (value.name().equalsIgnoreCase(appYn)) {
                return value;
            }
        }
        throw new IllegalArgumentException("Not a decision: " + appYn);
    }
}
