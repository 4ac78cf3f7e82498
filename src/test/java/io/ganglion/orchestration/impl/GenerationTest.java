package io.ganglion.orchestration.impl;

import io.ganglion.bus.Deadlines;
import io.ganglion.generation.LlmConfig;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.generation.LlmProviders;
import io.ganglion.orchestration.HashingEmbedder;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generation against a local server speaking the OpenAI chat-completions wire protocol (SSE chunks, errors, 429 with
 * Retry-After): the provider answers with mapped citations, retries, opens its breaker, and falls back to the
 * extractive generator.
 */
@ExtendWith(VertxExtension.class)
class GenerationTest {

  static final String TEXT = "Employees receive 25 days of paid vacation per calendar year. Vacation requests are approved by the team lead.";
  static final List<Passage> CONTEXT = List.of(new Passage("doc-vacation", "doc-vacation#1", "Vacation policy", TEXT, 17,
    17 + TEXT.length(), 1.0));
  static final String QUESTION = "How many vacation days do employees get?";

  private HttpServer upstream;
  private final AtomicInteger hits = new AtomicInteger();
  private final List<JsonObject> bodies = new CopyOnWriteArrayList<>();
  private volatile BiConsumer<Integer, HttpServerRequest> script;
  private LlmProviders llm;

  @BeforeEach
  void start(Vertx vertx) {
    new HashingEmbedder().register(vertx);
    upstream = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      bodies.add(body.toJsonObject());
      script.accept(hits.incrementAndGet(), request);
    }));
    upstream.listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    if (llm != null) {
      llm.close().await();
    }
  }

  private Generation generation(Vertx vertx, JsonObject overrides) {
    JsonObject provider = new JsonObject().put("name", "up").put("type", "openai")
      .put("baseUrl", "http://127.0.0.1:" + upstream.actualPort() + "/v1").put("model", "test-model")
      .put("maxRetries", 1).put("retryBaseDelayMs", 5).put("retryMaxDelayMs", 20).put("timeoutMs", 5000)
      .mergeIn(overrides);
    llm = LlmProviders.create(vertx, LlmConfig.from(new JsonObject().put("providers", new JsonArray().add(provider))), name -> null);
    return new Generation(vertx, llm, OrchestrationConfig.from(new JsonObject()));
  }

  private static Generation.Generated generate(Vertx vertx, Generation generation, List<String> deltas) {
    Promise<Generation.Generated> promise = Promise.promise();
    vertx.runOnContext(v -> generation.generate("t", null, null, QUESTION, QUESTION, List.of(), CONTEXT,
        io.ganglion.orchestration.Sampling.DEFAULT, () -> Deadlines.within(5000),
      deltas::add, call -> { }).onComplete(promise));
    return promise.future().await();
  }

  private static void stream(HttpServerRequest request, List<String> pieces) {
    var response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
    for (String piece : pieces) {
      response.write("data: " + chunk(new JsonObject().put("content", piece), null).encode() + "\n\n");
    }
    response.write("data: " + chunk(new JsonObject(), "stop").encode() + "\n\n");
    response.write("data: " + new JsonObject().put("id", "x").put("object", "chat.completion.chunk").put("created", 1)
      .put("model", "test-model").put("choices", new JsonArray())
      .put("usage", new JsonObject().put("prompt_tokens", 50).put("completion_tokens", 9).put("total_tokens", 59)).encode() + "\n\n");
    response.end("data: [DONE]\n\n");
  }

  private static JsonObject chunk(JsonObject delta, String finish) {
    return new JsonObject().put("id", "x").put("object", "chat.completion.chunk").put("created", 1).put("model", "test-model")
      .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta).put("finish_reason", finish)));
  }

  private static void error(HttpServerRequest request, int status) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("error", new JsonObject().put("message", "boom").put("type", "server_error")).encode());
  }

  @Test
  @DisplayName("a provider's streamed answer is delivered delta by delta and its [n] markers map to the context passages")
  void providerAnswers(Vertx vertx) {
    script = (attempt, request) -> stream(request, List.of("Employees get ", "25 days [1]."));
    List<String> deltas = new CopyOnWriteArrayList<>();

    Generation.Generated generated = generate(vertx, generation(vertx, new JsonObject()), deltas);

    assertThat(generated.generator()).isEqualTo("up");
    assertThat(generated.text()).isEqualTo("Employees get 25 days [1].");
    assertThat(String.join("", deltas)).isEqualTo(generated.text());
    assertThat(generated.abstained()).isFalse();
    assertThat(generated.citations()).hasSize(1);
    assertThat(generated.citations().getFirst().getString("documentId")).isEqualTo("doc-vacation");
    assertThat(generated.citations().getFirst().getInteger("start")).isEqualTo(17);
    assertThat(generated.usage().totalTokens()).isEqualTo(59);
    String prompt = bodies.getFirst().getJsonArray("messages").getJsonObject(1).getString("content");
    assertThat(prompt).contains("[1] (Vacation policy) Employees receive 25 days").contains("Question: " + QUESTION);
  }

  @Test
  @DisplayName("a 429 with Retry-After is retried and the provider then answers")
  void retriesAfter429(Vertx vertx) {
    script = (attempt, request) -> {
      if (attempt == 1) {
        request.response().putHeader("Retry-After", "0");
        error(request, 429);
      } else {
        stream(request, List.of("25 days [1]."));
      }
    };

    Generation.Generated generated = generate(vertx, generation(vertx, new JsonObject()), new CopyOnWriteArrayList<>());

    assertThat(generated.generator()).isEqualTo("up");
    assertThat(hits.get()).isEqualTo(2);
  }

  @Test
  @DisplayName("a provider that keeps failing is retried, then the chain falls back to the extractive generator")
  void fallsBackToExtractive(Vertx vertx) {
    script = (attempt, request) -> error(request, 503);
    List<String> deltas = new CopyOnWriteArrayList<>();

    Generation.Generated generated = generate(vertx, generation(vertx, new JsonObject()), deltas);

    assertThat(hits.get()).isEqualTo(2);
    assertThat(generated.generator()).isEqualTo("extractive");
    assertThat(generated.text()).contains("25 days").contains("[1]");
    assertThat(String.join("", deltas)).isEqualTo(generated.text());
    assertThat(generated.citations().getFirst().getString("quote"))
      .isEqualTo("Employees receive 25 days of paid vacation per calendar year.");
  }

  @Test
  @DisplayName("once the breaker is open the upstream is not called at all and extractive answers at once")
  void breakerOpens(Vertx vertx) {
    script = (attempt, request) -> error(request, 500);
    Generation generation = generation(vertx, new JsonObject().put("maxRetries", 0).put("breakerMaxFailures", 2)
      .put("breakerResetMs", 60_000));

    for (int i = 0; i < 2; i++) {
      assertThat(generate(vertx, generation, new CopyOnWriteArrayList<>()).generator()).isEqualTo("extractive");
    }
    assertThat(hits.get()).isEqualTo(2);
    Generation.Generated third = generate(vertx, generation, new CopyOnWriteArrayList<>());

    assertThat(third.generator()).isEqualTo("extractive");
    assertThat(hits.get()).as("no call reaches an upstream whose breaker is open").isEqualTo(2);
  }

  @Test
  @DisplayName("the extractive generator abstains, without citations, when no sentence is similar enough")
  void extractiveAbstains(Vertx vertx) {
    Generation generation = new Generation(vertx, LlmProviders.create(vertx, LlmConfig.none(), name -> null),
      OrchestrationConfig.from(new JsonObject()));
    Promise<Generation.Generated> promise = Promise.promise();
    vertx.runOnContext(v -> generation.generate("t", null, "extractive", "Where is the gym?", "Where is the gym?", List.of(),
        CONTEXT, io.ganglion.orchestration.Sampling.DEFAULT,
      () -> Deadlines.within(5000), d -> { }, c -> { }).onComplete(promise));

    Generation.Generated generated = promise.future().await();

    assertThat(generated.abstained()).isTrue();
    assertThat(generated.text()).isEqualTo(ExtractiveGenerator.ABSTAIN);
    assertThat(generated.citations()).isEmpty();
    assertThat(generated.generator()).isEqualTo("extractive");
  }
}
