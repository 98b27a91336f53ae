package io.bookmarket.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** OTLP spans as Zipkin must show them: ids, parent, kind, times in microseconds, service, tags, errors, events. */
class OtlpReceiverTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void anOtlpSpanBecomesAZipkinSpan() {
        Span server = Span.newBuilder()
                .setTraceId(bytes("0af7651916cd43dd8448eb211c80319c")).setSpanId(bytes("b7ad6b7169203331"))
                .setParentSpanId(bytes("00f067aa0ba902b7")).setName("POST /regRequests").setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(1_733_450_000_123_456_789L).setEndTimeUnixNano(1_733_450_000_135_456_789L)
                .addAttributes(attribute("http.response.status_code", AnyValue.newBuilder().setIntValue(503).build()))
                .addAttributes(attribute("url.path", AnyValue.newBuilder().setStringValue("/regRequests").build()))
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("review unavailable"))
                .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(1_733_450_000_130_000_000L))
                .build();
        Span internal = Span.newBuilder().setTraceId(bytes("0af7651916cd43dd8448eb211c80319c")).setSpanId(bytes("c7ad6b7169203332"))
                .setName("outbox-write").setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
                .setStartTimeUnixNano(1_000_000L).setEndTimeUnixNano(1_000_100L).build();
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attribute("service.name",
                        AnyValue.newBuilder().setStringValue("regrequest-service").build())))
                .addScopeSpans(ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("io.quarkus.opentelemetry"))
                        .addSpans(server).addSpans(internal)))
                .build();

        JsonNode spans = OtlpReceiver.zipkinSpans(request);

        assertThat(spans).hasSize(2);
        JsonNode zipkin = spans.get(0);
        assertThat(zipkin.path("traceId").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(zipkin.path("id").asText()).isEqualTo("b7ad6b7169203331");
        assertThat(zipkin.path("parentId").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(zipkin.path("name").asText()).isEqualTo("POST /regRequests");
        assertThat(zipkin.path("kind").asText()).isEqualTo("SERVER");
        assertThat(zipkin.path("timestamp").asLong()).isEqualTo(1_733_450_000_123_456L);
        assertThat(zipkin.path("duration").asLong()).isEqualTo(12_000L);
        assertThat(zipkin.at("/localEndpoint/serviceName").asText()).isEqualTo("regrequest-service");
        assertThat(zipkin.at("/tags/http.response.status_code").asText()).isEqualTo("503");
        assertThat(zipkin.at("/tags/url.path").asText()).isEqualTo("/regRequests");
        assertThat(zipkin.at("/tags/error").asText()).isEqualTo("review unavailable");
        assertThat(zipkin.at("/tags/otel.scope.name").asText()).isEqualTo("io.quarkus.opentelemetry");
        assertThat(zipkin.at("/annotations/0/value").asText()).isEqualTo("exception");
        assertThat(zipkin.at("/annotations/0/timestamp").asLong()).isEqualTo(1_733_450_000_130_000L);

        JsonNode root = spans.get(1);
        assertThat(root.has("parentId")).as("a root span has no parent").isFalse();
        assertThat(root.has("kind")).as("internal spans have no Zipkin kind").isFalse();
        assertThat(root.path("duration").asLong()).as("at least 1 µs").isEqualTo(1);
        assertThat(root.at("/tags/error").isMissingNode()).isTrue();
    }

    private static ByteString bytes(String hex) {
        return ByteString.copyFrom(HEX.parseHex(hex));
    }

    private static KeyValue attribute(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }
}
