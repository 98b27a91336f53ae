package io.bookmarket.contracts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContractsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDocumentedExamplesConform() throws Exception {
        assertThat(Contracts.violations("RegRequested", JSON.readTree(
                "{\"id\":1,\"bookId\":99,\"bookNm\":\"mybook\",\"publId\":100,\"regYn\":\"RegRequested\",\"occurredAt\":\"2026-11-24T10:15:30.123Z\"}")))
                .isEmpty();
        assertThat(Contracts.violations("Approved", JSON.readTree(
                "{\"id\":7,\"reqReqId\":1,\"publId\":100,\"appYn\":\"Approved\",\"occurredAt\":\"2026-11-24T10:16:02Z\"}")))
                .isEmpty();
    }

    @Test
    void missingFieldsWrongTypesAndWrongStatusAreViolations() throws Exception {
        JsonNode bad = JSON.readTree("{\"id\":\"x\",\"bookId\":99,\"publId\":100,\"regYn\":\"Approved\",\"occurredAt\":\"yesterday\"}");
        assertThat(Contracts.violations("RegRequested", bad))
                .anyMatch(m -> m.contains("bookNm"))
                .anyMatch(m -> m.contains("id"))
                .anyMatch(m -> m.contains("regYn"))
                .anyMatch(m -> m.contains("occurredAt"));
        assertThatThrownBy(() -> Contracts.assertConforms("RegRequested", bad)).isInstanceOf(AssertionError.class);
    }

    @Test
    void eachTopicCarriesTheEventTypesOfItsAggregate() {
        assertThat(Contracts.eventTypes(Contracts.REGREQUEST_TOPIC)).containsExactly("RegRequested", "ReqCanceled");
        assertThat(Contracts.eventTypes(Contracts.APPROVE_TOPIC)).containsExactly("AppCanceled", "Approved", "Rejected");
        assertThat(Contracts.EVENT_TYPES).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.of(
                Contracts.REGREQUEST_TOPIC, Contracts.APPROVE_TOPIC).flatMap(t -> Contracts.eventTypes(t).stream()).toList());
        assertThatThrownBy(() -> Contracts.eventTypes("outbox.event.Nothing")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyEventTypeHasASchemaAndBothConnectorsExist() throws Exception {
        for (String type : Contracts.EVENT_TYPES) {
            assertThat(Contracts.resource("schemas/" + type + ".schema.json")).contains("\"title\": \"" + type + "\"");
        }
        // regrequest-service on PostgreSQL (one database), approval-service on MariaDB (its database, only the outbox).
        assertThat(JSON.readTree(Contracts.connector("regrequest-outbox")).path("config").path("database.dbname").asText())
                .isEqualTo("regrequest");
        JsonNode approval = JSON.readTree(Contracts.connector("approval-outbox")).path("config");
        assertThat(approval.path("connector.class").asText()).isEqualTo("io.debezium.connector.mariadb.MariaDbConnector");
        assertThat(approval.path("table.include.list").asText()).isEqualTo("approval.outboxevent");
        assertThat(approval.path("snapshot.mode").asText()).as("nothing old replayed").isEqualTo("no_data");
        for (String db : new String[] {"regrequest", "approval"}) {
            JsonNode connector = JSON.readTree(Contracts.connector(db + "-outbox"));
            assertThat(connector.path("config").path("transforms.outbox.type").asText())
                    .isEqualTo("io.debezium.transforms.outbox.EventRouter");
            // Each change is handed to Kafka Connect at once (a batch of one wakes the poller), not at the window's end.
            assertThat(connector.path("config").path("max.batch.size").asText()).isEqualTo("1");
        }
        // The Postgres connector sleeps its poll interval whenever the WAL has nothing new: that interval is its lag.
        // The MariaDB connector's binlog reader is pushed to and never sleeps: a long interval costs no lag, only
        // fewer idle wake-ups.
        assertThat(Integer.parseInt(JSON.readTree(Contracts.connector("regrequest-outbox")).path("config")
                .path("poll.interval.ms").asText())).isLessThanOrEqualTo(50);
    }
}
