package io.ganglion.generation;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FallbackChainTest {

  private static final ChatRequest QUESTION = ChatRequest.of("Be brief.", "What is a ganglion?");

  /** Stands in for the built-in extractive generator: answers in-process, streaming two deltas. */
  private static final ChatProvider EXTRACTIVE = (request, onDelta) -> {
    onDelta.handle("A cluster of neurons ");
    onDelta.handle("[1].");
    return ChatStream.of(Future.succeededFuture(new ChatResult("A cluster of neurons [1].", FinishReason.STOP,
      TokenUsage.NONE, "extractive", "extractive")));
  };

  private FakeUpstream openAi;
  private FakeUpstream anthropic;

  @BeforeEach
  void start(Vertx vertx) {
    openAi = FakeUpstream.start(vertx);
    anthropic = FakeUpstream.start(vertx);
  }

  private ResilientProvider openAiProvider(Vertx vertx) {
    var config = Wire.config("openai", "openai", openAi.baseUrl(), new JsonObject().put("maxRetries", 1));
    return new ResilientProvider(vertx, Wire.openAi(vertx, config), config);
  }

  private ResilientProvider anthropicProvider(Vertx vertx) {
    var config = Wire.config("claude", "anthropic", anthropic.baseUrl(), new JsonObject().put("maxRetries", 0));
    return new ResilientProvider(vertx, new AnthropicProvider(vertx.createHttpClient(), config, "k"), config);
  }

  @Test
  @DisplayName("When every upstream fails, the chain streams the final generator's answer")
  void reachesFinalGenerator(Vertx vertx, VertxTestContext testContext) {
    openAi.answering((attempt, request, body) ->
      Wire.json(request.response(), 500, Wire.openAiError("boom", "server_error", null)));
    anthropic.answering((attempt, request, body) ->
      Wire.json(request.response(), 529, Wire.anthropicError("overloaded_error", "Overloaded")));
    FallbackChain chain = new FallbackChain(List.of(openAiProvider(vertx), anthropicProvider(vertx)), EXTRACTIVE);
    List<String> deltas = new CopyOnWriteArrayList<>();

    vertx.runOnContext(v -> chain.stream(QUESTION, deltas::add).result()
      .onComplete(testContext.succeeding(result -> testContext.verify(() -> {
        assertThat(result.provider()).isEqualTo("extractive");
        assertThat(deltas).containsExactly("A cluster of neurons ", "[1].");
        assertThat(openAi.hits()).isEqualTo(2);
        assertThat(anthropic.hits()).isEqualTo(1);
        testContext.completeNow();
      }))));
  }

  @Test
  @DisplayName("When the first provider fails, the next one answers and the final generator is not used")
  void secondProviderAnswers(Vertx vertx) {
    openAi.answering((attempt, request, body) -> request.connection().close());
    anthropic.answering((attempt, request, body) -> Wire.sseAll(request.response(),
      Wire.anthropicStream(List.of("Nerve ", "cells."), "end_turn", 9, 2)));
    FallbackChain chain = new FallbackChain(List.of(openAiProvider(vertx), anthropicProvider(vertx)), EXTRACTIVE);
    List<String> deltas = new CopyOnWriteArrayList<>();

    ChatResult result = chain.stream(QUESTION, deltas::add).result().await();

    assertThat(result.provider()).isEqualTo("claude");
    assertThat(result.text()).isEqualTo("Nerve cells.");
    assertThat(deltas).containsExactly("Nerve ", "cells.");
  }

  @Test
  @DisplayName("A provider that broke after streaming part of its answer fails the call instead of falling back")
  void noFallbackAfterPartialAnswer(Vertx vertx) {
    openAi.answering((attempt, request, body) -> Wire.sse(request.response()).write(Wire.openAiChunk("A clus"))
      .onComplete(written -> request.connection().close()));
    FallbackChain chain = new FallbackChain(List.of(openAiProvider(vertx), anthropicProvider(vertx)), EXTRACTIVE);
    List<String> deltas = new CopyOnWriteArrayList<>();

    Throwable failure = catchThrowable(() -> chain.stream(QUESTION, deltas::add).result().await());

    assertThat(failure).isInstanceOf(TruncatedStreamException.class);
    assertThat(deltas).containsExactly("A clus");
    assertThat(anthropic.hits()).isZero();
  }

  @Test
  @DisplayName("A busy provider is skipped: the chain falls through to the next without waiting")
  void skipsBusyProvider(Vertx vertx, VertxTestContext testContext) {
    Checkpoint answered = testContext.checkpoint(2);
    Promise<HttpServerRequest> firstArrived = Promise.promise();
    // the upstream holds the first call open until the second one has been answered elsewhere
    openAi.answering((attempt, request, body) -> firstArrived.complete(request));
    var config = Wire.config("openai", "openai", openAi.baseUrl(), new JsonObject().put("maxConcurrency", 1));
    ResilientProvider busy = new ResilientProvider(vertx, Wire.openAi(vertx, config), config);
    FallbackChain chain = new FallbackChain(List.of(busy), EXTRACTIVE);

    vertx.runOnContext(v -> {
      chain.complete(QUESTION).onComplete(testContext.succeeding(first -> testContext.verify(() -> {
        assertThat(first.provider()).isEqualTo("openai");
        answered.flag();
      })));
      chain.complete(QUESTION).onComplete(testContext.succeeding(second -> testContext.verify(() -> {
        assertThat(second.provider()).isEqualTo("extractive");
        assertThat(busy.inFlight()).isEqualTo(1);
        answered.flag();
        firstArrived.future().onSuccess(first ->
          Wire.json(first.response(), 200, Wire.openAiCompletion("slow", "stop", 1, 1)));
      })));
    });
  }

  @Test
  @DisplayName("When the final generator fails too, the call fails with earlier failures attached")
  void allFail(Vertx vertx) {
    openAi.answering((attempt, request, body) ->
      Wire.json(request.response(), 500, Wire.openAiError("boom", "server_error", null)));
    ChatProvider broken = (request, onDelta) -> ChatStream.failed(new IllegalStateException("no passages"));
    FallbackChain chain = new FallbackChain(List.of(openAiProvider(vertx)), broken);

    Throwable failure = catchThrowable(() -> chain.complete(QUESTION).await());

    assertThat(failure).isInstanceOf(IllegalStateException.class);
    assertThat(failure.getSuppressed()).singleElement().isInstanceOf(UpstreamException.class);
  }
}
