package io.ganglion.orchestration.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.generation.ChatMessage;
import io.ganglion.generation.ChatProvider;
import io.ganglion.generation.ChatRequest;
import io.ganglion.generation.FallbackChain;
import io.ganglion.generation.FinishReason;
import io.ganglion.generation.ResponseFormat;
import io.ganglion.orchestration.Sampling;
import io.ganglion.generation.ChatResult;
import io.ganglion.generation.ChatStream;
import io.ganglion.generation.Citation;
import io.ganglion.generation.CitationParser;
import io.ganglion.generation.CitationPrompt;
import io.ganglion.generation.ContextPassage;
import io.ganglion.generation.LlmProviders;
import io.ganglion.generation.ProviderException;
import io.ganglion.generation.TokenUsage;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Generation: picks the chain for an ask — the request's {@code generator} (a provider name, or {@code extractive}),
 * else the default provider with its fallbacks — always ending in a fresh {@link ExtractiveGenerator} over the ask's
 * context, so an answer comes even when every upstream is down. Upstream answers are written under
 * {@link CitationPrompt} (history turns before the context-bearing question) and their {@code [n]} markers mapped
 * back to the context passages; an upstream answer citing nothing counts as an abstention.
 */
public final class Generation {

  /**
   * @param generator  the link that answered ({@code extractive} or a provider name)
   * @param citations  {@code {"n","documentId","chunkId","title","quote","start","end"}} each
   * @param similarity the extractive generator's best question-sentence similarity; {@code null} for upstream
   *                   providers
   * @param confidence the extractive generator's confidence that the passages answer the question (what it abstained
   *                   or answered on, {@link AbstentionModel}); {@code null} for upstream providers
   * @param signals    what that confidence was computed from ({@link AnswerSignals#toJson()}); {@code null} for
   *                   upstream providers
   */
  record Generated(String text, String generator, String model, List<JsonObject> citations, boolean abstained,
                   TokenUsage usage, Double similarity, Double confidence, JsonObject signals,
                   FinishReason finish) {

    /** The same generation with the text the output guard let through, and how it finished. */
    Generated guarded(String text, FinishReason finished) {
      return new Generated(text, generator, model, citations, abstained, usage, similarity, confidence, signals,
        finished);
    }
  }

  private final Vertx vertx;
  private final LlmProviders llm;
  private final Embedder embedder;
  private final Embedder uncached;
  private final OrchestrationConfig config;
  private final AbstentionModel abstention;

  public Generation(Vertx vertx, LlmProviders llm, OrchestrationConfig config) {
    this.vertx = vertx;
    this.llm = llm;
    this.embedder = new Embedder(vertx);
    this.uncached = embedder.uncached();
    StoredSentenceVectors.registerCodecs(vertx);
    this.config = config;
    this.abstention = config.calibrationFile().isEmpty() ? AbstentionModel.bundled()
      : AbstentionModel.read(java.nio.file.Path.of(config.calibrationFile()));
  }

  /**
   * Fails with 4000 unless {@code generator} is {@code null}, {@code extractive} or a configured provider, and unless
   * it takes the sampling's response format when that asks for JSON.
   */
  void check(String generator, Sampling sampling) {
    if (generator != null && !ExtractiveGenerator.NAME.equals(generator) && llm.provider(generator).isEmpty()) {
      throw ErrorCode.INVALID_REQUEST.exception("unknown generator '" + generator + "': use extractive"
        + (llm.providers().isEmpty() ? "" : " or one of " + llm.providers().stream().map(ChatProvider::name).toList()));
    }
    if (ResponseFormat.structured(sampling.responseFormat())) {
      // empty: the extractive generator answers first
      Optional<? extends ChatProvider> first = generator == null ? llm.defaultProvider() : llm.provider(generator);
      refuseFormat(first.map(ChatProvider::name).orElse(ExtractiveGenerator.NAME),
        first.map(ChatProvider::supportsResponseFormat).orElse(false));
    }
  }

  private static void refuseFormat(String generator, boolean supported) {
    if (!supported) {
      throw ErrorCode.INVALID_REQUEST.exception("'response_format' is not supported by the generator '" + generator
        + "': only OpenAI-compatible providers take it");
    }
  }

  /**
   * Starts generating; {@code started} receives the call so the ask can cancel it.
   *
   * @param tenant  the asking tenant and {@code kb} the knowledge base the context came from: the extractive generator
   *                reads the sentence vectors stored there (null {@code kb}: it embeds every candidate)
   * @param query   the standalone query (what the extractive generator answers)
   * @param onDelta each text fragment, in order
   */
  Future<Generated> generate(String tenant, String kb, String generator, String question, String query,
                             List<ChatMessage> history, List<Passage> context, Sampling sampling,
                             Supplier<DeliveryOptions> hop, Handler<String> onDelta, Consumer<ChatStream> started) {
    return generate(new StoredSentenceVectors(vertx, embedder, tenant, kb), generator, question, query, history, context,
      sampling, hop, onDelta, started);
  }

  /**
   * The sentence vectors the extractive generator of an ask about {@code kb} will read, already being fetched for the
   * {@code retrieved} passages and the query when it answers first (the request names it, or names no generator and no
   * default provider is configured), so that happens while the passages are screened; otherwise fetched on demand.
   * Pass them to {@link #generate(SentenceVectors, String, String, String, List, List, Sampling, Supplier, Handler,
   * Consumer)}: the answer is the same either way.
   */
  SentenceVectors vectors(String tenant, String kb, String generator, String query, List<Passage> retrieved,
                          DeliveryOptions hop) {
    return vectors(tenant, kb, generator, query, retrieved, hop, false);
  }

  /** As {@link #vectors(String, String, String, String, List, DeliveryOptions)}; {@code warmup}: remembers no vector. */
  SentenceVectors vectors(String tenant, String kb, String generator, String query, List<Passage> retrieved,
                          DeliveryOptions hop, boolean warmup) {
    StoredSentenceVectors vectors = new StoredSentenceVectors(vertx, warmup ? uncached : embedder, tenant, kb);
    boolean extractiveFirst = ExtractiveGenerator.NAME.equals(generator)
      || generator == null && llm.defaultProvider().isEmpty();
    return extractiveFirst && !retrieved.isEmpty() ? vectors.prefetch(query, retrieved, hop) : vectors;
  }

  /**
   * {@link #generate(String, String, String, String, String, List, List, Sampling, Supplier, Handler, Consumer)} with
   * the extractive generator reading {@code vectors} ({@link #vectors}).
   */
  Future<Generated> generate(SentenceVectors vectors, String generator, String question, String query,
                             List<ChatMessage> history, List<Passage> context, Sampling sampling,
                             Supplier<DeliveryOptions> hop, Handler<String> onDelta, Consumer<ChatStream> started) {
    ExtractiveGenerator extractive = new ExtractiveGenerator(vectors, config, abstention, query, context, hop);
    ChatProvider chain = generator == null ? llm.defaultChain(extractive)
      : ExtractiveGenerator.NAME.equals(generator) ? extractive
      : llm.chain(generator, extractive);
    if (ResponseFormat.structured(sampling.responseFormat())) {
      chain = formatting(chain);
    }
    ChatStream call = chain.stream(prompt(question, history, context)
      .withMaxTokens(sampling.maxTokens()).withTemperature(sampling.temperature()).withStop(sampling.stop())
      .withSeed(sampling.seed()).withUser(sampling.user()).withTopP(sampling.topP())
      .withResponseFormat(sampling.responseFormat()), onDelta);
    started.accept(call);
    return call.result()
      .recover(failure -> Future.failedFuture(failure instanceof ProviderException pe
        ? pe.errorCode().exception(pe.getMessage()) : failure))
      .map(result -> ExtractiveGenerator.NAME.equals(result.provider())
        ? fromExtractive(result, extractive.outcome())
        : fromUpstream(result, context));
  }

  /**
   * The links of {@code chain} that take a JSON response format, in order (a fallback that would answer in another
   * format is left out, the extractive generator included); 4000 when the first one does not.
   */
  private static ChatProvider formatting(ChatProvider chain) {
    refuseFormat(chain.name(), chain.supportsResponseFormat());
    if (!(chain instanceof FallbackChain fallback)) {
      return chain;
    }
    List<ChatProvider> links = fallback.links().stream().filter(ChatProvider::supportsResponseFormat).toList();
    return links.size() == 1 ? links.getFirst() : new FallbackChain(links.subList(0, links.size() - 1), links.getLast());
  }

  private static ChatRequest prompt(String question, List<ChatMessage> history, List<Passage> context) {
    return CitationPrompt.request(question, history,
      context.stream().map(p -> new ContextPassage(p.title(), p.text())).toList());
  }

  private static Generated fromExtractive(ChatResult result, ExtractiveGenerator.Outcome outcome) {
    return new Generated(result.text(), ExtractiveGenerator.NAME, ExtractiveGenerator.NAME, outcome.citations(),
      outcome.abstained(), result.usage(), Double.isNaN(outcome.best()) ? null : outcome.best(),
      Double.isNaN(outcome.confidence()) ? null : outcome.confidence(),
      outcome.signals() == null ? null : outcome.signals().toJson(), result.finishReason());
  }

  private static Generated fromUpstream(ChatResult result, List<Passage> context) {
    List<JsonObject> citations = new ArrayList<>();
    for (Citation<Passage> c : CitationParser.parse(result.text(), context)) {
      Passage p = c.passage();
      citations.add(new JsonObject().put("n", c.number()).put("documentId", p.documentId()).put("chunkId", p.chunkId())
        .put("title", p.title()).put("quote", p.text()).put("start", p.start()).put("end", p.end()));
    }
    return new Generated(result.text(), result.provider(), result.model(), citations, citations.isEmpty(), result.usage(),
      null, null, null, result.finishReason());
  }
}
