package io.ganglion.orchestration.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.LocalCodec;
import io.ganglion.inference.onnx.TextKind;
import io.ganglion.retrieval.SentenceLookup;
import io.ganglion.retrieval.StoredSentences;
import io.ganglion.store.DocumentRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sentence vectors stored at ingestion, fetched for the chunks a search returned only
 * ({@code ganglion.retrieval.sentences.local}); a candidate without a stored vector (a chunk ingested before they were
 * stored, a KB that keeps none, a split that changed) is embedded on the spot, with the same model. An ask over stored
 * chunks therefore embeds its question only, and that one usually comes from inference's query cache (the search
 * embedded it a moment before).
 * <p>
 * Without a retrieval verticle on this node, or when the look-up fails, every candidate is embedded: slower, same answer.
 */
final class StoredSentenceVectors implements SentenceVectors {

  private static final Logger log = LoggerFactory.getLogger(StoredSentenceVectors.class);

  private final Vertx vertx;
  private final Embedder embedder;
  private final String tenant;
  private final String kb;
  // started by prefetch, before the candidates are known: the stored sentences of these chunks, and this query's vector
  private Set<String> prefetchedChunks = Set.of();
  private Future<StoredSentences> prefetched;
  private String prefetchedQuery;
  private Future<float[][]> prefetchedQueryVector;

  /** The stored vectors of knowledge base {@code kb} of {@code tenant}; null {@code kb} embeds everything. */
  StoredSentenceVectors(Vertx vertx, Embedder embedder, String tenant, String kb) {
    this.vertx = vertx;
    this.embedder = embedder;
    this.tenant = tenant;
    this.kb = kb;
  }

  /** Registers the look-up's local codecs on {@code vertx} (once, before the first ask); idempotent. */
  static void registerCodecs(Vertx vertx) {
    LocalCodec.register(vertx.eventBus(), SentenceLookup.class);
    LocalCodec.register(vertx.eventBus(), StoredSentences.class);
  }

  /**
   * Starts reading the stored sentences of {@code retrieved} and embedding {@code query} (with the knowledge base's
   * model, which the read names) at once, so both are under way while the passages are screened; {@link #of} then
   * uses them for candidates of those passages and that query (and reads or embeds anything else itself). The result
   * is the same as without: only when the work starts changes. Returns this.
   */
  StoredSentenceVectors prefetch(String query, List<Passage> retrieved, DeliveryOptions hop) {
    prefetchedChunks = retrieved.stream().map(Passage::chunkId).collect(Collectors.toSet());
    prefetched = stored(retrieved, hop);
    prefetchedQuery = query;
    prefetchedQueryVector = prefetched.compose(stored -> embedder.embed(List.of(query), TextKind.QUERY, stored.model(), hop));
    return this;
  }

  @Override
  public Future<Vectors> of(String query, List<Passage> passages, List<Sentence> candidates, DeliveryOptions hop) {
    boolean covered = prefetched != null && passages.stream().allMatch(p -> prefetchedChunks.contains(p.chunkId()));
    return (covered ? prefetched : stored(passages, hop)).compose(stored -> {
      Map<String, float[]> byOffsets = new HashMap<>();
      stored.chunks().forEach((chunkId, sentences) -> {
        for (int i = 0; i < sentences.starts().length; i++) {
          byOffsets.put(key(chunkId, sentences.starts()[i], sentences.ends()[i]), sentences.vectors().get(i));
        }
      });
      float[][] vectors = new float[candidates.size()][];
      List<Integer> missing = new ArrayList<>();
      for (int i = 0; i < vectors.length; i++) {
        Sentence s = candidates.get(i);
        vectors[i] = byOffsets.get(key(passages.get(s.passage()).chunkId(), s.start(), s.end()));
        if (vectors[i] == null) {
          missing.add(i);
        }
      }
      String model = stored.model();
      Future<float[][]> queryVector = covered && query.equals(prefetchedQuery) ? prefetchedQueryVector
        : embedder.embed(List.of(query), TextKind.QUERY, model, hop);
      Future<float[][]> embedded = missing.isEmpty() ? Future.succeededFuture(new float[0][])
        : embedder.embed(missing.stream().map(i -> candidates.get(i).text()).toList(), TextKind.PASSAGE, model, hop);
      return Future.all(queryVector, embedded).map(all -> {
        float[][] filled = embedded.result();
        for (int j = 0; j < filled.length; j++) {
          vectors[missing.get(j)] = filled[j];
        }
        return new Vectors(queryVector.result()[0], vectors, missing.size());
      });
    });
  }

  private Future<StoredSentences> stored(List<Passage> passages, DeliveryOptions hop) {
    if (kb == null || passages.isEmpty()) {
      return Future.succeededFuture(new StoredSentences(null, Map.of()));
    }
    List<String> chunkIds = passages.stream().map(Passage::chunkId).distinct().toList();
    return vertx.eventBus().<StoredSentences>request(Addresses.RETRIEVAL_SENTENCES_LOCAL,
        new SentenceLookup(tenant, kb, chunkIds), Deadlines.localWithin(hop.getSendTimeout()))
      .map(Message::body)
      .recover(failure -> {
        log.debug("stored sentence vectors of {} unavailable ({}); embedding the candidates", kb, failure.getMessage());
        return Future.succeededFuture(new StoredSentences(null, Map.<String, DocumentRepository.ChunkSentences>of()));
      });
  }

  private static String key(String chunkId, int start, int end) {
    return chunkId + '\u0000' + start + ':' + end;
  }
}
