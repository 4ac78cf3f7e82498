package io.ganglion.bus;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Log lines carry the request id and the trace id")
class LogContextTest {

  private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();

  @AfterEach
  void restore() throws Exception {
    System.clearProperty("GANGLION_LOG_FORMAT");
    configure();
  }

  private void configure() throws Exception {
    logging.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(logging);
    configurator.doConfigure(getClass().getClassLoader().getResource("logback.xml"));
  }

  @Test
  @DisplayName("GANGLION_LOG_FORMAT=json selects the JSON encoder, whose lines hold requestId, traceId and spanId")
  void jsonLines() throws Exception {
    System.setProperty("GANGLION_LOG_FORMAT", "json");
    configure();
    Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    assertThat(root.getAppender("json")).isNotNull();
    assertThat(root.getAppender("text")).isNull();

    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(logging);
    captured.start();
    Logger logger = logging.getLogger("io.ganglion.test");
    logger.addAppender(captured);

    SdkTracerProvider tracing = SdkTracerProvider.builder().build();
    Vertx vertx = Vertx.vertx();
    try {
      Promise<String> traceId = Promise.promise();
      vertx.runOnContext(v -> {
        RequestIds.bind("req-log-0001");
        Span span = tracing.get("test").spanBuilder("work").startSpan();
        try (Scope ignored = span.makeCurrent()) {
          logger.info("answered {}", 42);
          traceId.complete(span.getSpanContext().getTraceId());
        } finally {
          span.end();
        }
      });
      String trace = traceId.future().await();
      ILoggingEvent event = captured.list.get(0);
      assertThat(event.getMDCPropertyMap()).containsEntry("requestId", "req-log-0001").containsEntry("traceId", trace)
        .containsKey("spanId");

      JsonEncoder encoder = (JsonEncoder) ((ch.qos.logback.core.OutputStreamAppender<ILoggingEvent>) root.getAppender("json")).getEncoder();
      JsonObject line = new JsonObject(new String(encoder.encode(event), StandardCharsets.UTF_8).strip());
      assertThat(line.getString("formattedMessage")).isEqualTo("answered 42");
      assertThat(line.getString("level")).isEqualTo("INFO");
      assertThat(line.getJsonObject("mdc").getString("requestId")).isEqualTo("req-log-0001");
      assertThat(line.getJsonObject("mdc").getString("traceId")).isEqualTo(trace);
    } finally {
      vertx.close().await();
      tracing.close();
    }
  }
}
