package io.bookmarket.regrequest.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** approval-service's answer: the review ticket of a request (only the fields we read). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApprovalTicket(Long id, Long reqReqId, String appYn) {
}
