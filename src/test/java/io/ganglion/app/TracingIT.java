package io.ganglion.app;

import io.ganglion.TestServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("OpenTelemetry tracing, exported to an OTLP receiver in the test")
class TracingIT {

  private static final List<Span> SPANS = new CopyOnWriteArrayList<>();
  private static Vertx receiverVertx;
  private static HttpServer receiver;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    receiverVertx = Vertx.vertx();
    // OTLP/HTTP: POST /v1/traces with a protobuf ExportTraceServiceRequest
    receiver = receiverVertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      try {
        ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
        export.getResourceSpansList().forEach(r -> r.getScopeSpansList().forEach(s -> SPANS.addAll(s.getSpansList())));
        synchronized (SPANS) {
          SPANS.notifyAll();
        }
        request.response().putHeader("Content-Type", "application/x-protobuf").end();
      } catch (Exception e) {
        request.response().setStatusCode(400).end();
      }
    })).listen(0, "127.0.0.1").await();
    server = TestServer.start(Files.createTempDirectory(Path.of("target"), "it-tracing-"), Map.of(
      "tracing.enabled", "true", "tracing.endpoint", "http://127.0.0.1:" + receiver.actualPort() + "/v1/traces"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    receiverVertx.close().await();
  }

  private static String what(Span span) {
    return span.getAttributesList().stream().filter(a -> a.getKey().equals("messaging.destination.name"))
      .map(a -> a.getValue().getStringValue()).findFirst().orElse(span.getName());
  }

  /** Waits (bounded) until the exported spans satisfy {@code condition}; the receiver signals each export. */
  private static void exported(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    synchronized (SPANS) {
      while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
        SPANS.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      }
    }
  }

  @Test
  @DisplayName("an ask is one trace, continuing the caller's traceparent, with spans from the HTTP edge and at least three verticles and the request id")
  void oneTracePerRequest() throws Exception {
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"traced\"}").statusCode()).isEqualTo(201);
    assertThat(server.postJson("/v1/kbs/traced/documents", new JsonObject().put("documents", new JsonArray().add(
      new JsonObject().put("id", "leave").put("text", "The vacation policy grants 25 days of paid leave per year.")))
      .encode()).statusCode()).isEqualTo(200);

    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    HttpResponse<String> answer = server.send(server.authed("/v1/kbs/traced/ask")
      .header("Content-Type", "application/json")
      .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
      .header("X-Request-Id", "traced-request-0001")
      .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"question\":\"How many days of paid leave?\"}")).build());
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.headers().firstValue("traceparent")).hasValueSatisfying(tp -> assertThat(tp).startsWith("00-" + traceId + "-"));

    // every span of the trace, by the event-bus address (or the operation) it stands for
    java.util.function.Supplier<Set<String>> seen = () -> SPANS.stream()
      .filter(span -> HexFormat.of().formatHex(span.getTraceId().toByteArray()).equals(traceId))
      .map(TracingIT::what).collect(Collectors.toSet());
    // a request's hops stay on the node that received it: the public addresses' node-local twins (verticles.md)
    Set<String> expected = Set.of("POST", "ganglion.reflex.ask.local", "ganglion.orchestrator.ask.local",
      "ganglion.retrieval.search.local", "ganglion.inference.embed.local", "Query", "Command");
    // the query's embedding ran in a model batch: a span of its own, linked to the request's embed span in this trace
    java.util.function.Supplier<List<Span>> batches = () -> SPANS.stream()
      .filter(span -> span.getName().equals("inference.batch") && span.getLinksList().stream()
        .anyMatch(link -> HexFormat.of().formatHex(link.getTraceId().toByteArray()).equals(traceId)))
      .toList();
    exported(() -> seen.get().containsAll(expected) && !batches.get().isEmpty());
    assertThat(seen.get()).as("spans of the trace").containsAll(expected);
    Span batch = batches.get().getFirst();
    assertThat(HexFormat.of().formatHex(batch.getTraceId().toByteArray())).as("a batch is a trace of its own").isNotEqualTo(traceId);
    assertThat(batch.getAttributesList()).anySatisfy(a -> {
      assertThat(a.getKey()).isEqualTo("ganglion.model");
      assertThat(a.getValue().getStringValue()).isNotBlank();
    }).anySatisfy(a -> {
      assertThat(a.getKey()).isEqualTo("ganglion.batch.size");
      assertThat(a.getValue().getIntValue()).isPositive();
    });
    java.util.Set<String> embedSpans = SPANS.stream()
      .filter(span -> HexFormat.of().formatHex(span.getTraceId().toByteArray()).equals(traceId)
        && what(span).equals("ganglion.inference.embed.local"))
      .map(span -> HexFormat.of().formatHex(span.getSpanId().toByteArray())).collect(Collectors.toSet());
    assertThat(batch.getLinksList()).as("linked to the span of the request it served")
      .anySatisfy(link -> assertThat(embedSpans).contains(HexFormat.of().formatHex(link.getSpanId().toByteArray())));
    assertThat(SPANS).filteredOn(span -> HexFormat.of().formatHex(span.getTraceId().toByteArray()).equals(traceId)
        && span.getName().equals("POST"))
      .singleElement().satisfies(span -> assertThat(span.getAttributesList())
        .anySatisfy(a -> {
          assertThat(a.getKey()).isEqualTo("ganglion.request_id");
          assertThat(a.getValue().getStringValue()).isEqualTo("traced-request-0001");
        }));
  }
}
