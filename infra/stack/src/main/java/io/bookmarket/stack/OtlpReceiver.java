package io.bookmarket.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * The trace backend's OTLP/HTTP receiver, a JVM of its own ({@link TraceBackend} starts it): takes
 * {@code POST /v1/traces} (protobuf) and hands the spans to Zipkin in Zipkin's v2 JSON. What an OpenTelemetry
 * Collector with a Zipkin exporter does, for the local system only. Its own JVM, so its work is not the launcher's
 * (nor a benchmark's load generator's), and a test can stop or freeze it like any backend.
 * Usage: {@code OtlpReceiver <port> <zipkin url>}.
 */
final class OtlpReceiver {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private final String zipkin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private OtlpReceiver(String zipkin) {
        this.zipkin = zipkin;
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        OtlpReceiver receiver = new OtlpReceiver(args[1]);
        HttpServer server = HttpServer.create(new InetSocketAddress(Ports.HOST, port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/traces", receiver::receive);
        server.start();
        System.out.printf("OTLP/HTTP receiver on %s:%d/v1/traces, spans go to Zipkin at %s%n", Ports.HOST, port, args[1]);
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            ExportTraceServiceRequest request;
            try (InputStream body = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                request = ExportTraceServiceRequest.parseFrom(body);
            }
            ArrayNode spans = zipkinSpans(request);
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(zipkin + "/api/v2/spans"))
                            .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(spans))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 != 2) {
                System.out.printf("Zipkin refused %d spans: HTTP %d %s%n", spans.size(), answer.statusCode(), answer.body());
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            // An empty ExportTraceServiceResponse: everything accepted.
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            exchange.sendResponseHeaders(e instanceof com.google.protobuf.InvalidProtocolBufferException ? 400 : 503, -1);
        }
    }

    /** OTLP spans in Zipkin's v2 JSON: ids in hex, microseconds, attributes as tags, an error status as "error". */
    static ArrayNode zipkinSpans(ExportTraceServiceRequest request) {
        ArrayNode spans = JSON.createArrayNode();
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
            String service = resourceSpans.getResource().getAttributesList().stream()
                    .filter(a -> a.getKey().equals("service.name")).map(a -> text(a.getValue())).findFirst().orElse("unknown");
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    ObjectNode zipkin = spans.addObject();
                    zipkin.put("traceId", HEX.formatHex(span.getTraceId().toByteArray()));
                    zipkin.put("id", HEX.formatHex(span.getSpanId().toByteArray()));
                    if (!span.getParentSpanId().isEmpty()) {
                        zipkin.put("parentId", HEX.formatHex(span.getParentSpanId().toByteArray()));
                    }
                    zipkin.put("name", span.getName());
                    switch (span.getKind()) {
                        case SPAN_KIND_SERVER -> zipkin.put("kind", "SERVER");
                        case SPAN_KIND_CLIENT -> zipkin.put("kind", "CLIENT");
                        case SPAN_KIND_PRODUCER -> zipkin.put("kind", "PRODUCER");
                        case SPAN_KIND_CONSUMER -> zipkin.put("kind", "CONSUMER");
                        default -> { } // internal: Zipkin has no kind for it
                    }
                    zipkin.put("timestamp", span.getStartTimeUnixNano() / 1000);
                    zipkin.put("duration", Math.max(1, (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1000));
                    zipkin.putObject("localEndpoint").put("serviceName", service);
                    ObjectNode tags = zipkin.putObject("tags");
                    for (KeyValue attribute : span.getAttributesList()) {
                        tags.put(attribute.getKey(), text(attribute.getValue()));
                    }
                    tags.put("otel.scope.name", scopeSpans.getScope().getName());
                    if (span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
                        tags.put("error", span.getStatus().getMessage().isEmpty() ? "true" : span.getStatus().getMessage());
                    }
                    if (span.getEventsCount() > 0) {
                        ArrayNode annotations = zipkin.putArray("annotations");
                        span.getEventsList().forEach(event -> annotations.addObject()
                                .put("timestamp", event.getTimeUnixNano() / 1000).put("value", event.getName()));
                    }
                }
            }
        }
        return spans;
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            case ARRAY_VALUE -> value.getArrayValue().getValuesList().stream().map(OtlpReceiver::text)
                    .collect(Collectors.joining(",", "[", "]"));
            default -> value.toString().strip();
        };
    }

}
