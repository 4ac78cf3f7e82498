package io.ganglion.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A lone query through the bus, with a worker idle, is cut at once instead of waiting inference.maxWaitMs")
class LoneQueryIT {

  /** Far longer than the callers' deadlines below: a request that waited for it would fail with a timeout. */
  static final int MAX_WAIT_MS = 10_000;
  private static Vertx vertx;

  @BeforeAll
  static void deploy() throws Exception {
    vertx = Vertx.vertx();
    vertx.deployVerticle(new InferenceVerticle(), new DeploymentOptions().setConfig(new JsonObject()
      .put("inference", new JsonObject().put("workers", 1).put("maxWaitMs", MAX_WAIT_MS).put("maxBatch", 4)
        .put("queryCacheEntries", 0)))).await(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("one query after another, each alone, is answered within half of maxWaitMs (its caller's deadline): none waited for a batch to fill")
  void loneQueriesNotHeld() {
    EmbedClient client = EmbedClient.create(vertx);
    for (String text : List.of("Why do event loops never block?", "How are batches cut?", "What does a lane hold?")) {
      EmbedReply reply = client.embed(EmbedRequest.of(List.of(text), TextKind.QUERY), MAX_WAIT_MS / 2).await();
      assertThat(reply.vectors()).hasSize(1);
    }
  }
}
