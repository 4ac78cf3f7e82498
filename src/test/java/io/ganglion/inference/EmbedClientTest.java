package io.ganglion.inference;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@ExtendWith(VertxExtension.class)
@DisplayName("EmbedClient without an inference verticle on this node")
class EmbedClientTest {

  @Test
  @DisplayName("falls back to the public JSON address, sending the wire's request shape and reading its reply")
  void fallsBackToJson(Vertx vertx) {
    AtomicReference<JsonObject> seen = new AtomicReference<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.INFERENCE_EMBED, msg -> {
      seen.set(msg.body());
      msg.reply(new JsonObject().put("model", "fake").put("dims", 2)
        .put("vectors", new JsonArray().add(new JsonArray().add(0.6f).add(0.8f)))
        .put("tokens", new JsonArray().add(3)).put("truncated", new JsonArray().add(false)));
    }).completion().await();

    EmbedReply reply = EmbedClient.create(vertx).embed(EmbedRequest.of(List.of("hello"), TextKind.QUERY), 5_000).await();

    assertThat(seen.get()).isEqualTo(new JsonObject().put("texts", new JsonArray().add("hello")).put("kind", "query")
      .put("lane", "interactive"));
    assertThat(reply.model()).isEqualTo("fake");
    assertThat(reply.vectors()).singleElement().satisfies(v -> assertThat(v).containsExactly(0.6f, 0.8f));
    assertThat(reply.tokens()).containsExactly(3);
  }

  @Test
  @DisplayName("refuses a reply with a vector count that does not match the texts (5000), instead of misaligning rows")
  void countsVectors(Vertx vertx) {
    vertx.eventBus().<JsonObject>consumer(Addresses.INFERENCE_EMBED, msg -> msg.reply(new JsonObject()
      .put("model", "fake").put("dims", 1).put("vectors", new JsonArray().add(new JsonArray().add(1f))))).completion().await();

    ReplyException e = catchThrowableOfType(ReplyException.class,
      () -> EmbedClient.create(vertx).vectors(List.of("a", "b"), TextKind.PASSAGE, 5_000).await());

    assertThat(e.failureCode()).isEqualTo(ErrorCode.INTERNAL.code());
    assertThat(e.getMessage()).isEqualTo("embed replied 1 vectors for 2 texts");
  }
}
