package io.ganglion.bus;

import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Request ids across the event bus")
class RequestIdsTest {

  @Test
  @DisplayName("a request id bound in the sender's context reaches the consumer's context, its header and its log lines")
  void propagates(Vertx vertx, VertxTestContext test) {
    RequestIds.propagate(vertx.eventBus());
    vertx.eventBus().<JsonObject>consumer("test.echo", msg -> {
      test.verify(() -> {
        assertThat(msg.headers().get(RequestIds.HEADER)).isEqualTo("rid-42");
        assertThat(RequestIds.current()).isEqualTo("rid-42");
        assertThat(new RequestIdConverter().convert(new LoggingEvent())).isEqualTo("rid-42");
      });
      // a hop further: the id follows again
      vertx.eventBus().request("test.second", "x", Deadlines.within(1000)).onComplete(ar -> msg.reply(ar.result().body()));
    }).completion()
      .compose(v -> vertx.eventBus().<String>consumer("test.second", msg -> msg.reply(RequestIds.current())).completion())
      .onComplete(test.succeeding(v -> {
        io.vertx.core.Context ctx = ((io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext()).duplicate();
        ctx.runOnContext(x -> {
          RequestIds.bind("rid-42");
          vertx.eventBus().<String>request("test.echo", new JsonObject(), Deadlines.within(2000))
            .map(Message::body)
            .onComplete(test.succeeding(reply -> test.verify(() -> {
              assertThat(reply).isEqualTo("rid-42");
              test.completeNow();
            })));
        });
      }));
  }

  @Test
  @DisplayName("outside a request, the id is absent and logs print '-'")
  void absentOutsideRequests() {
    assertThat(RequestIds.current()).isNull();
    assertThat(new RequestIdConverter().convert(new LoggingEvent())).isEqualTo("-");
  }

  @Test
  @DisplayName("only safe client ids are accepted")
  void validation() {
    assertThat(RequestIds.valid("abc-123_x.y:z")).isTrue();
    assertThat(RequestIds.valid("has space")).isFalse();
    assertThat(RequestIds.valid("x".repeat(129))).isFalse();
    assertThat(RequestIds.valid(null)).isFalse();
    assertThat(RequestIds.generate()).matches("[0-9a-f]{32}").isNotEqualTo(RequestIds.generate());
  }
}
