package io.ganglion.reflex.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.PublicAddress;
import io.ganglion.reflex.ReflexAnswer;
import io.ganglion.reflex.ReflexAsk;
import io.ganglion.reflex.ReflexCacheConfig;
import io.ganglion.reflex.ReflexRulesConfig;
import io.ganglion.reflex.cache.KbVersions;
import io.ganglion.reflex.cache.ResponseCache;
import io.ganglion.reflex.rules.RuleBook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("The answer cache on a node without quorum, and for partial answers")
class AskGateQuorumTest {

  private final AtomicInteger orchestrated = new AtomicInteger();
  private final AtomicBoolean partial = new AtomicBoolean();
  private final AtomicBoolean quorate = new AtomicBoolean(true);
  private AskGate gate;
  private io.vertx.core.Context context;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.context = vertx.getOrCreateContext();
    // the retrieval and orchestrator this node would ask: a knowledge base at version 1, and a fixed answer
    PublicAddress.register(vertx.eventBus(), Addresses.RETRIEVAL_KB_GET, msg -> msg.reply(new JsonObject()
      .put("createdAt", "2026-01-01T00:00Z").put("version", 1))).await();
    PublicAddress.register(vertx.eventBus(), Addresses.ORCHESTRATOR_ASK, msg -> {
      orchestrated.incrementAndGet();
      JsonObject answer = new JsonObject().put("answer", "It is.").put("generator", "extractive")
        .put("conversationId", "c").put("traceId", "t");
      msg.reply(partial.get() ? answer.put("partial", true) : answer);
    }).await();
    JsonObject reflex = new JsonObject();
    // Redis at a port where nothing listens: the cache works in process only
    ResponseCache cache = new ResponseCache(ReflexCacheConfig.from(reflex), Redis.createClient(vertx,
      "redis://127.0.0.1:1"), new SimpleMeterRegistry(), "p-test");
    gate = new AskGate(vertx, new RuleBook(vertx, ReflexRulesConfig.from(reflex)), cache,
      new KbVersions(vertx, 2000, 0), new SimpleMeterRegistry(), quorate::get,
      new io.ganglion.reflex.Inspector(io.ganglion.reflex.ReflexConfig.from(reflex),
        io.ganglion.reflex.injection.InjectionDetector.bundled()));
  }

  /** Asks on the one event-loop context the gate is confined to, as the reflex verticle would. */
  private ReflexAnswer ask() throws Exception {
    JsonObject request = new JsonObject().put("tenant", "t").put("kb", "kb").put("question", "Is it?");
    io.vertx.core.Promise<ReflexAnswer> answer = io.vertx.core.Promise.promise();
    context.runOnContext(v -> gate.ask(new ReflexAsk(request, null, 5000, false)).onComplete(answer));
    return answer.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("with quorum the second ask is a hit; without quorum every ask is answered fresh and nothing is stored")
  void noQuorumNoCache() throws Exception {
    quorate.set(false);
    assertThat(ask().source()).isEqualTo(ReflexAnswer.Source.ORCHESTRATOR);
    assertThat(ask().source()).isEqualTo(ReflexAnswer.Source.ORCHESTRATOR);
    assertThat(orchestrated).hasValue(2);

    quorate.set(true);
    assertThat(ask().source()).as("nothing was stored while in a minority").isEqualTo(ReflexAnswer.Source.ORCHESTRATOR);
    assertThat(ask().source()).isEqualTo(ReflexAnswer.Source.CACHE);
    assertThat(orchestrated).hasValue(3);

    quorate.set(false);
    assertThat(ask().source()).as("no hit served while in a minority").isEqualTo(ReflexAnswer.Source.ORCHESTRATOR);
  }

  @Test
  @DisplayName("an answer built from a partial search is never cached")
  void partialNotCached() throws Exception {
    partial.set(true);
    assertThat(ask().source()).isEqualTo(ReflexAnswer.Source.ORCHESTRATOR);
    assertThat(ask().source()).isEqualTo(ReflexAnswer.Source.ORCHESTRATOR);
    assertThat(orchestrated).hasValue(2);
  }
}
