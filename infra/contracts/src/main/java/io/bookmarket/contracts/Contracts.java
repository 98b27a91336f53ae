package io.bookmarket.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The event contracts (JSON Schemas) and connector configurations under infra/contracts, for tests. */
public final class Contracts {

    public static final String REGREQUEST_TOPIC = "outbox.event.RegRequest";
    public static final String APPROVE_TOPIC = "outbox.event.Approve";
    public static final Set<String> EVENT_TYPES = Set.of("RegRequested", "ReqCanceled", "Approved", "Rejected", "AppCanceled");

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private Contracts() {
    }

    /** The event types a topic carries: the messages of its channel in asyncapi.yaml. A consumer handles exactly these. */
    public static Set<String> eventTypes(String topic) {
        try {
            for (JsonNode channel : new YAMLMapper().readTree(resource("asyncapi.yaml")).path("channels")) {
                if (channel.path("address").asText().equals(topic)) {
                    Set<String> types = new TreeSet<>();
                    channel.path("messages").fieldNames().forEachRemaining(types::add);
                    return types;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException("asyncapi.yaml has no channel for topic " + topic);
    }

    /** Violations of the event type's schema by the payload; empty when it conforms. */
    public static List<String> violations(String eventType, JsonNode payload) {
        return schema(eventType).validate(payload).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    /** Throws {@link AssertionError} listing every violation when the payload does not conform. */
    public static void assertConforms(String eventType, JsonNode payload) {
        List<String> violations = violations(eventType, payload);
        if (!violations.isEmpty()) {
            throw new AssertionError(eventType + " payload " + payload + " violates its contract: " + violations);
        }
    }

    /** The JSON of a connector definition, e.g. {@code connector("regrequest-outbox")}. */
    public static String connector(String name) {
        return resource("connectors/" + name + ".json");
    }

    private static JsonSchema schema(String eventType) {
        if (!EVENT_TYPES.contains(eventType)) {
            throw new IllegalArgumentException("No contract for event type " + eventType);
        }
        return SCHEMAS.computeIfAbsent(eventType, type -> {
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            return FACTORY.getSchema(resource("schemas/" + type + ".schema.json"), config);
        });
    }

    static String resource(String path) {
        try (InputStream in = Contracts.class.getResourceAsStream("/bookmarket/contracts/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("No contract file " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
