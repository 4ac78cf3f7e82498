package io.ganglion.inference;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("EmbedClient against the real inference verticle: the node-local twin and the public JSON address")
class EmbedClientIT {

  private static Vertx vertx;

  @BeforeAll
  static void deploy() throws Exception {
    vertx = Vertx.vertx();
    vertx.deployVerticle(new InferenceVerticle(), new DeploymentOptions().setConfig(new JsonObject()
      .put("inference", new JsonObject().put("maxInputs", 4)))).await(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the local twin answers the same model, vectors, tokens and truncation flags as the JSON address")
  void sameAnswerBothWays() {
    EmbedRequest request = EmbedRequest.of(List.of("Event loops never block.", "Workers run blocking code."),
      TextKind.QUERY);

    EmbedReply local = EmbedClient.create(vertx).embed(request, 30_000).await();
    EmbedReply json = EmbedClient.overJson(vertx).embed(request, 30_000).await();

    assertThat(local.model()).isEqualTo(json.model()).isEqualTo("bge-small-en-v1.5@1");
    assertThat(local.dims()).isEqualTo(json.dims()).isEqualTo(384);
    assertThat(local.tokens()).isEqualTo(json.tokens());
    assertThat(local.truncated()).isEqualTo(json.truncated()).containsExactly(false, false);
    for (int i = 0; i < 2; i++) {
      assertThat(local.vectors().get(i)).containsExactly(json.vectors().get(i));
    }
  }

  @Test
  @DisplayName("the local twin validates as the JSON address does: 4130 over inference.maxInputs, 4000 for an empty text")
  void localValidates() {
    EmbedClient client = EmbedClient.create(vertx);
    ReplyException tooMany = catchThrowableOfType(ReplyException.class, () ->
      client.embed(EmbedRequest.of(List.of("a", "b", "c", "d", "e"), TextKind.PASSAGE), 30_000).await());
    ReplyException empty = catchThrowableOfType(ReplyException.class, () ->
      client.embed(EmbedRequest.of(List.of("a", ""), TextKind.PASSAGE), 30_000).await());
    ReplyException jsonTooMany = catchThrowableOfType(ReplyException.class, () -> vertx.eventBus()
      .request(Addresses.INFERENCE_EMBED, EmbedRequest.of(List.of("a", "b", "c", "d", "e"), TextKind.PASSAGE).toJson(),
        Deadlines.within(30_000)).await());

    assertThat(tooMany.failureCode()).isEqualTo(jsonTooMany.failureCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE.code());
    assertThat(tooMany.getMessage()).isEqualTo(jsonTooMany.getMessage());
    assertThat(empty.failureCode()).isEqualTo(ErrorCode.INVALID_REQUEST.code());
  }
}
