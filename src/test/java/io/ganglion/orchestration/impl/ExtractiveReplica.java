package io.ganglion.orchestration.impl;

import io.ganglion.inference.onnx.Device;
import io.ganglion.inference.onnx.Embedding;
import io.ganglion.inference.onnx.EngineLoader;
import io.ganglion.inference.onnx.KnownModels;
import io.ganglion.inference.onnx.ModelRegistry;
import io.ganglion.inference.onnx.ModelSpec;
import io.ganglion.inference.onnx.TextEmbedder;
import io.ganglion.inference.onnx.TextKind;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.retrieval.RetrievalConfig;
import io.ganglion.retrieval.impl.TokenizerCounter;
import io.ganglion.retrieval.index.ChunkRecord;
import io.ganglion.retrieval.index.Hit;
import io.ganglion.retrieval.index.KnowledgeBaseIndex;
import io.ganglion.retrieval.index.SearchMode;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.ingest.Chunk;
import io.ganglion.retrieval.ingest.Chunker;
import io.ganglion.retrieval.ingest.DocumentFormat;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The steps of an extractive ask that decide abstention — ingest (parse, chunk, embed), hybrid search with the
 * retrieval defaults, context, candidate sentences, {@link AnswerSignals} — in process on the real bge-small model,
 * with the question's vector supplied by the caller, so a test controls the batch it was embedded in. No cache: every
 * vector is computed here. What the server does between these steps (HTTP, the event bus, PostgreSQL) does not
 * change the signals; {@code AbstentionIT} asks the same questions through a real server.
 */
final class ExtractiveReplica implements AutoCloseable {

  /** One question's evidence: its signals, the context they came from, and the decision on them. */
  record Assessed(ParaphraseSet.Question question, AnswerSignals signals, double logit, boolean answers,
                  String bestDocument, List<String> candidates) {
  }

  private final ModelRegistry registry;
  private final TextEmbedder model;
  private final OrchestrationConfig orchestration = OrchestrationConfig.from(new JsonObject());
  private final RetrievalConfig retrieval = RetrievalConfig.DEFAULTS;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final Map<String, float[]> sentenceVectors = new HashMap<>();
  private final Map<String, KnowledgeBaseIndex> indexes = new HashMap<>();
  private final Map<String, float[]> chunkCentroids = new HashMap<>();
  private final Map<String, Integer> chunkCounts = new HashMap<>();
  private final Map<String, List<String>> setSentences = new HashMap<>();

  ExtractiveReplica() {
    ModelSpec spec = KnownModels.named(KnownModels.BGE_SMALL_EN_V15).orElseThrow();
    registry = ModelRegistry.load(List.of(spec), spec.name(), new EngineLoader(Device.CPU, 2));
    model = registry.embedder(null);
  }

  /** Ingests {@code set}'s documents as the retrieval verticle would (one shard: sharding changes no ranking). */
  void ingest(ParaphraseSet set) throws Exception {
    KnowledgeBaseIndex index = KnowledgeBaseIndex.create(1);
    try (TokenizerCounter counter = TokenizerCounter.of(model.spec())) {
      Chunker chunker = new Chunker(counter, retrieval.chunkTokens(), retrieval.overlapTokens());
      for (ParaphraseSet.Document d : set.documents()) {
        List<Chunk> chunks = chunker.chunk(DocumentFormat.TEXT.parser().parse(d.text()));
        List<String> texts = chunks.stream().map(c -> c.indexedText(d.title())).toList();
        List<Embedding> vectors = model.embed(texts, TextKind.PASSAGE);
        for (Embedding e : vectors) {
          add(chunkCentroids.computeIfAbsent(set.name(), k -> new float[e.vector().length]), e.vector());
          chunkCounts.merge(set.name(), 1, Integer::sum);
        }
        List<ChunkRecord> records = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
          records.add(ChunkRecord.of(d.id(), d.title(), chunks.get(i), Map.of(), vectors.get(i).vector()));
        }
        index.upsert(d.id(), records);
      }
    }
    indexes.put(set.name(), index);
  }

  /** The question embedded alone, as an ask on an idle server embeds it. */
  float[] alone(String question) throws Exception {
    return model.embed(List.of(question), TextKind.QUERY).getFirst().vector();
  }

  /**
   * The questions embedded inside one batch of 16 texts, filled up with texts of mixed lengths (2 to 60 words, and
   * one of 150) of both kinds, in seeded positions: what a question gets on a busy server, where the micro-batcher
   * groups it with whatever else is waiting. At most 8 questions, so at least half the batch is other texts.
   */
  List<float[]> inBatch(List<String> questions, long seed) throws Exception {
    if (questions.size() > 8) {
      throw new IllegalArgumentException("at most 8 questions per batch");
    }
    Random random = new Random(seed);
    List<TextEmbedder.Input> batch = new ArrayList<>();
    for (int i = questions.size(); i < 16; i++) {
      int words = i == questions.size() ? 150 : 2 + random.nextInt(59);
      batch.add(new TextEmbedder.Input(filler(random, words), random.nextBoolean() ? TextKind.PASSAGE : TextKind.QUERY));
    }
    int[] at = new int[questions.size()];
    for (int q = 0; q < questions.size(); q++) {
      at[q] = random.nextInt(batch.size() + 1);
      batch.add(at[q], new TextEmbedder.Input(questions.get(q), TextKind.QUERY));
      for (int p = 0; p < q; p++) {
        at[p] += at[p] >= at[q] ? 1 : 0;
      }
    }
    List<Embedding> out = model.runAll(batch);
    List<float[]> vectors = new ArrayList<>();
    for (int q = 0; q < questions.size(); q++) {
      vectors.add(out.get(at[q]).vector());
    }
    return vectors;
  }

  /** Retrieval, context, candidates and signals for {@code question} asked of {@code set} with {@code vector}. */
  Assessed assess(ParaphraseSet set, ParaphraseSet.Question question, float[] vector, AbstentionModel abstention)
    throws Exception {
    List<Hit> hits = indexes.get(set.name()).search(new SearchQuery(question.text(), vector, SearchMode.HYBRID,
      orchestration.topK(), retrieval.candidates(), Map.of()), retrieval.hybridFusion(), pool).get();
    List<Passage> context = ContextBuilder.build(hits.stream().map(h -> Passage.fromHit(h.toJson())).toList(),
      orchestration.contextTokens());
    List<Sentence> candidates = ExtractiveGenerator.candidates(context, orchestration.maxCandidates());
    double[] relevance = new double[candidates.size()];
    for (int i = 0; i < relevance.length; i++) {
      relevance[i] = Mmr.dot(vector, sentence(candidates.get(i).text()));
    }
    AnswerSignals signals = AnswerSignals.of(context, relevance);
    int best = 0;
    for (int i = 1; i < relevance.length; i++) {
      best = relevance[i] > relevance[best] ? i : best;
    }
    double logit = abstention == null ? Double.NaN : abstention.logit(signals);
    boolean answers = abstention != null && abstention.confidence(signals) >= orchestration.minConfidence();
    return new Assessed(question, signals, logit, answers, context.get(candidates.get(best).passage()).documentId(),
      candidates.stream().map(Sentence::text).toList());
  }

  /** The question embedded as a passage, without the model's query instruction. */
  float[] raw(String question) throws Exception {
    return model.embed(List.of(question), TextKind.PASSAGE).getFirst().vector();
  }

  /** The mean of {@code set}'s chunk vectors: a question's dot product with it is its mean cosine with the chunks. */
  float[] chunkCentroid(String set) {
    float[] mean = chunkCentroids.get(set).clone();
    for (int i = 0; i < mean.length; i++) {
      mean[i] /= chunkCounts.get(set);
    }
    return mean;
  }

  /** The mean of the vectors of {@code set}'s sentences. */
  float[] sentenceCentroid(String set) throws Exception {
    float[] sum = null;
    for (String s : setSentences.get(set)) {
      float[] v = sentence(s);
      sum = sum == null ? new float[v.length] : sum;
      add(sum, v);
    }
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= setSentences.get(set).size();
    }
    return sum;
  }

  private static void add(float[] sum, float[] v) {
    for (int i = 0; i < v.length; i++) {
      sum[i] += v[i];
    }
  }

  /** A sentence's vector from {@link #embedSentences}, or embedded alone if that did not see it. */
  float[] sentence(String text) throws Exception {
    float[] vector = sentenceVectors.get(text);
    if (vector == null) {
      vector = model.embed(List.of(text), TextKind.PASSAGE).getFirst().vector();
      sentenceVectors.put(text, vector);
    }
    return vector;
  }

  /** Embeds every sentence of {@code set}'s chunks up front, in length-sorted batches of 16. */
  void embedSentences(ParaphraseSet set) throws Exception {
    List<String> texts = new ArrayList<>();
    try (TokenizerCounter counter = TokenizerCounter.of(model.spec())) {
      Chunker chunker = new Chunker(counter, retrieval.chunkTokens(), retrieval.overlapTokens());
      for (ParaphraseSet.Document d : set.documents()) {
        for (Chunk c : chunker.chunk(DocumentFormat.TEXT.parser().parse(d.text()))) {
          for (Sentence s : SentenceSplitter.split(0, new Passage(d.id(), null, d.title(), c.text(), c.start(), c.end(), 0))) {
            setSentences.computeIfAbsent(set.name(), k -> new ArrayList<>()).add(s.text());
            if (!sentenceVectors.containsKey(s.text()) && !texts.contains(s.text())) {
              texts.add(s.text());
            }
          }
        }
      }
    }
    texts.sort(Comparator.comparingInt(String::length));
    for (int from = 0; from < texts.size(); from += 16) {
      List<String> batch = texts.subList(from, Math.min(texts.size(), from + 16));
      List<Embedding> vectors = model.embed(batch, TextKind.PASSAGE);
      for (int i = 0; i < batch.size(); i++) {
        sentenceVectors.put(batch.get(i), vectors.get(i).vector());
      }
    }
  }

  private static String filler(Random random, int words) {
    String[] vocabulary = {"the", "council", "report", "budget", "meeting", "a", "of", "customer", "invoice", "server",
      "weather", "river", "and", "train", "schedule", "football", "recipe", "garden", "is", "was", "museum", "ticket",
      "policy", "review", "to", "in", "contract", "delivery", "hospital", "school"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(i == 0 ? "" : " ").append(vocabulary[random.nextInt(vocabulary.length)]);
    }
    return sb.append('.').toString();
  }

  @Override
  public void close() throws Exception {
    for (KnowledgeBaseIndex index : indexes.values()) {
      index.close();
    }
    pool.shutdownNow();
    registry.close();
  }
}
