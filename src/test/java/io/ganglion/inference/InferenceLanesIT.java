package io.ganglion.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Inference lanes through the bus: one worker, interactive before bulk, deadlines that free slots")
class InferenceLanesIT {

  static final String MODEL = "bge-small-en-v1.5@1";
  private static Vertx vertx;

  @BeforeAll
  static void deploy() throws Exception {
    vertx = Vertx.vertx();
    vertx.deployVerticle(new InferenceVerticle(), new DeploymentOptions().setConfig(new JsonObject()
      .put("inference", new JsonObject().put("workers", 1).put("maxBatch", 4).put("queueCapacity", 512)
        .put("bulkCapacity", 512)))).await(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** {@code n} distinct texts of {@code words} words, seeded. */
  static List<String> texts(int n, int words, long seed) {
    Random random = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder("text ").append(seed).append('-').append(i);
      for (int w = 0; w < words; w++) {
        sb.append(' ').append("word").append(random.nextInt(400));
      }
      out.add(sb.toString());
    }
    return out;
  }

  static JsonObject status() {
    return vertx.eventBus().<JsonObject>request(Addresses.INFERENCE_STATUS, new JsonObject(), Deadlines.within(5000))
      .await().body();
  }

  @Test
  @DisplayName("an interactive query overtakes a queued bulk backlog and answers while the backlog still runs, on the worker kept for queries beside the running bulk batch")
  void interactiveOvertakesBulk() {
    EmbedClient client = EmbedClient.create(vertx);
    long besideBefore = status().getJsonObject("batchesBesideBulk").getLong(MODEL);
    AtomicLong bulkDone = new AtomicLong();
    Future<EmbedReply> backlog = client.embed(EmbedRequest.bulk(texts(160, 40, 1), TextKind.PASSAGE, null), 120_000)
      .onComplete(done -> bulkDone.set(System.nanoTime()));
    await().atMost(Duration.ofSeconds(30))
      .until(() -> status().getJsonObject("queueDepth").getJsonObject(MODEL).getInteger("bulk") > 100);

    EmbedReply query = client.embed(EmbedRequest.of(texts(1, 8, 2), TextKind.QUERY), 30_000).await();
    long queryDone = System.nanoTime();

    assertThat(query.vectors()).hasSize(1);
    assertThat(backlog.isComplete()).as("the bulk backlog is still running").isFalse();
    assertThat(status().getJsonObject("batchesBesideBulk").getLong(MODEL) - besideBefore)
      .as("the query's batch ran beside a bulk batch, not after it").isPositive();
    assertThat(backlog.await().vectors()).hasSize(160);
    assertThat(bulkDone.get()).isGreaterThan(queryDone);
  }

  @Test
  @DisplayName("inputs whose deadline passed while queued are dropped unrun, the caller gets 5040, and the lane is free")
  void expiredInputsFreeSlots() {
    long expiredBefore = status().getJsonObject("expired").getLong(MODEL);
    List<String> many = texts(200, 50, 3);
    JsonObject request = EmbedRequest.bulk(many, TextKind.PASSAGE, null).toJson();

    Throwable failure = vertx.eventBus().request(Addresses.INFERENCE_EMBED, request,
        Deadlines.withDeadline(Deadlines.within(300), 300))
      .map(Object.class::cast).otherwise(e -> e).await() instanceof Throwable t ? t : null;

    assertThat(failure).isNotNull();
    assertThat(ErrorCode.of(failure)).isEqualTo(ErrorCode.TIMEOUT);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonObject status = status();
      assertThat(status.getJsonObject("queueDepth").getJsonObject(MODEL).getInteger("bulk")).isZero();
      assertThat(status.getJsonObject("expired").getLong(MODEL) - expiredBefore)
        .as("inputs dropped without running").isPositive();
    });
    // the freed lane takes a full-size request again at once
    assertThat(EmbedClient.create(vertx).embed(EmbedRequest.bulk(texts(8, 5, 4), TextKind.PASSAGE, null), 60_000)
      .await().vectors()).hasSize(8);
  }
}
