package io.bookmarket.regrequest.service;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of POST /regRequests. Numbers may come as strings ("10"), as the original's clients send them; other
 * fields (the original's load test sends "regYn": "Y") are ignored: the server decides the status.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(name = "NewRegRequest", description = "A publisher's request to register a new book")
public record NewRegRequest(
        @NotNull @Positive @Schema(description = "The book (positive whole number; \"10\" accepted)", examples = "99", required = true)
        Long bookId,
        @NotBlank @Size(max = 200) @Schema(description = "The book's name", examples = "mybook", maxLength = 200, required = true)
        String bookNm,
        @NotNull @Positive @Schema(description = "The publisher (positive whole number; \"11\" accepted)", examples = "100", required = true)
        Long publId) {

    /** What "the same body" means for Idempotency-Key: the values after coercion, not the text sent. */
    String fingerprint() {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((bookId + "\n" + publId + "\n" + bookNm).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
