package io.ganglion.orchestration.impl;

import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.generation.ChatCancelledException;
import io.ganglion.generation.ChatProvider;
import io.ganglion.generation.ChatRequest;
import io.ganglion.generation.ChatResult;
import io.ganglion.generation.ChatStream;
import io.ganglion.generation.FinishReason;
import io.ganglion.generation.TokenUsage;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The built-in generator, last link of every fallback chain: answers with the retrieved sentences that best answer the
 * query, each followed by its citation marker, and abstains when the passages do not answer it.
 * <ol>
 *   <li>The context passages are split into sentences with exact document offsets ({@link SentenceSplitter}); the
 *   first {@code maxCandidates} are candidates.</li>
 *   <li>The query ({@code kind: query}) and the candidates ({@code kind: passage}) get their vectors from
 *   {@link SentenceVectors} (candidates stored at ingestion, the rest and the query embedded); relevance is cosine
 *   similarity.</li>
 *   <li>{@link AnswerSignals} of the sentences and of the retrieval ranks go to the {@link AbstentionModel}; below
 *   {@code minConfidence} it abstains: {@value #ABSTAIN}, no citations.</li>
 *   <li>Else up to {@code maxSentences} sentences within {@code relativeWindow} of the best are chosen by maximal
 *   marginal relevance ({@link Mmr}), put back in reading order (passage rank, then position), and streamed one
 *   sentence per delta, each with its marker {@code [n]} before its final punctuation. Citation {@code n} quotes that
 *   sentence exactly: {@code quote == document[start, end)}.</li>
 * </ol>
 * One instance answers one ask (it holds that ask's passages); the {@link ChatRequest} it receives is ignored.
 * Deterministic for a given model and context; offline.
 */
public final class ExtractiveGenerator implements ChatProvider {

  public static final String NAME = "extractive";
  public static final String ABSTAIN = "The answer was not found in the knowledge base.";

  /**
   * What the answer cites and whether it abstained.
   *
   * @param best       the best question/sentence similarity (NaN if there was no candidate)
   * @param confidence the abstention model's confidence that the passages answer the question (NaN if no candidate)
   * @param signals    what the confidence was computed from ({@code null} if no candidate)
   */
  record Outcome(List<JsonObject> citations, boolean abstained, double best, double confidence, AnswerSignals signals) {
  }

  private final SentenceVectors vectors;
  private final OrchestrationConfig config;
  private final AbstentionModel model;
  private final String query;
  private final List<Passage> passages;
  private final Supplier<DeliveryOptions> hop;
  private volatile Outcome outcome = new Outcome(List.of(), true, Double.NaN, Double.NaN, null);

  ExtractiveGenerator(SentenceVectors vectors, OrchestrationConfig config, AbstentionModel model, String query,
                      List<Passage> passages, Supplier<DeliveryOptions> hop) {
    this.vectors = vectors;
    this.config = config;
    this.model = model;
    this.query = query;
    this.passages = passages;
    this.hop = hop;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The citations and abstention of the last answer; read once its result completed. */
  Outcome outcome() {
    return outcome;
  }

  @Override
  public ChatStream stream(ChatRequest request, Handler<String> onDelta) {
    Promise<ChatResult> promise = Promise.promise();
    AtomicBoolean cancelled = new AtomicBoolean();
    List<Sentence> candidates = candidates(passages, config.maxCandidates());
    Future<ChatResult> answer = candidates.isEmpty()
      ? Future.succeededFuture(abstain(onDelta, new Outcome(List.of(), true, Double.NaN, Double.NaN, null), 0))
      : vectors.of(query, passages, candidates, hop.get())
        .map(found -> {
          if (cancelled.get()) {
            throw new ChatCancelledException(NAME);
          }
          return compose(candidates, found.query(), found.sentences(), onDelta, request);
        });
    answer.onComplete(promise::tryComplete, promise::tryFail);
    return new ChatStream() {
      @Override
      public Future<ChatResult> result() {
        return promise.future();
      }

      @Override
      public void cancel() {
        cancelled.set(true);
        promise.tryFail(new ChatCancelledException(NAME));
      }
    };
  }

  /** The sentences of {@code passages} in rank order, the first {@code max} of them. */
  static List<Sentence> candidates(List<Passage> passages, int max) {
    List<Sentence> out = new ArrayList<>();
    for (int i = 0; i < passages.size() && out.size() < max; i++) {
      for (Sentence s : SentenceSplitter.split(i, passages.get(i))) {
        if (out.size() < max) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private ChatResult compose(List<Sentence> candidates, float[] q, float[][] vectors, Handler<String> onDelta,
                             ChatRequest request) {
    double[] relevance = new double[candidates.size()];
    double best = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < relevance.length; i++) {
      relevance[i] = Mmr.dot(q, vectors[i]);
      best = Math.max(best, relevance[i]);
    }
    int promptTokens = Tokens.estimate(query) + candidates.stream().mapToInt(s -> Tokens.estimate(s.text())).sum();
    AnswerSignals signals = AnswerSignals.of(passages, relevance);
    double confidence = model.confidence(signals);
    if (confidence < config.minConfidence()) {
      return abstain(onDelta, new Outcome(List.of(), true, best, confidence, signals), promptTokens);
    }
    double floor = best - config.relativeWindow();
    List<Sentence> chosen = new ArrayList<>();
    for (int i : Mmr.select(relevance, vectors, config.maxSentences(), config.mmrLambda(), floor)) {
      chosen.add(candidates.get(i));
    }
    chosen.sort(Comparator.comparingInt(Sentence::passage).thenComparingInt(Sentence::start));
    List<JsonObject> citations = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    FinishReason finish = FinishReason.STOP;
    for (int i = 0; i < chosen.size(); i++) {
      Sentence s = chosen.get(i);
      Passage p = passages.get(s.passage());
      int n = i + 1;
      String piece = withMarker(s.text(), n) + (i < chosen.size() - 1 ? " " : "");
      Cut cut = Cut.of(text, piece, request.stop(), request.maxTokens());
      if (cut.whole()) {
        citations.add(new JsonObject().put("n", n).put("documentId", p.documentId()).put("chunkId", p.chunkId())
          .put("title", p.title()).put("quote", s.text()).put("start", s.start()).put("end", s.end()));
      }
      if (!cut.text().isEmpty()) {
        text.append(cut.text());
        onDelta.handle(cut.text());
      }
      if (cut.finish() != null) {
        finish = cut.finish();
        break;
      }
    }
    outcome = new Outcome(List.copyOf(citations), citations.isEmpty(), best, confidence, signals);
    String answer = text.toString();
    return new ChatResult(answer, finish, new TokenUsage(promptTokens, Tokens.estimate(answer)), NAME, NAME);
  }

  private ChatResult abstain(Handler<String> onDelta, Outcome abstention, int promptTokens) {
    outcome = abstention;
    onDelta.handle(ABSTAIN);
    return new ChatResult(ABSTAIN, FinishReason.STOP, new TokenUsage(promptTokens, Tokens.estimate(ABSTAIN)), NAME, NAME);
  }

  /**
   * What of the next piece of an answer may be written: all of it, the part before a stop sequence (finish
   * {@code stop}), or the words that fit in {@code maxTokens} (finish {@code length}).
   */
  record Cut(String text, boolean whole, FinishReason finish) {

    static Cut of(CharSequence written, String piece, List<String> stop, int maxTokens) {
      int stopAt = -1;
      for (String s : stop) {
        int at = piece.indexOf(s);
        if (at >= 0 && (stopAt < 0 || at < stopAt)) {
          stopAt = at;
        }
      }
      String candidate = stopAt >= 0 ? piece.substring(0, stopAt) : piece;
      FinishReason finish = stopAt >= 0 ? FinishReason.STOP : null;
      if (maxTokens > 0 && Tokens.estimate(written + candidate) > maxTokens) {
        String[] words = candidate.split("(?<=\\s)");
        StringBuilder fits = new StringBuilder();
        for (String word : words) {
          if (Tokens.estimate(written.toString() + fits + word) > maxTokens) {
            break;
          }
          fits.append(word);
        }
        return new Cut(fits.toString().stripTrailing(), false, FinishReason.LENGTH);
      }
      return new Cut(candidate, stopAt < 0, finish);
    }
  }

  /** "Employees get 25 days." with n = 1 is "Employees get 25 days [1]." */
  static String withMarker(String sentence, int n) {
    int end = sentence.length();
    while (end > 0 && ".!?;:".indexOf(sentence.charAt(end - 1)) >= 0) {
      end--;
    }
    return sentence.substring(0, end) + " [" + n + "]" + sentence.substring(end);
  }
}
