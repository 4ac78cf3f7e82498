package io.ganglion.retrieval.index;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Ranks documents rather than chunks: in each ranking a document scores as its best chunk (its first entry, the
 * rankings being best first), the two document rankings are fused as chunks would be, and the hits come document by
 * document, each document's chunks in their own chunk-level fused order and with their document's score. A document
 * whose title matches the query in one chunk and whose meaning matches it in another gets both rankings' credit,
 * where chunk-level fusion splits it between two chunks.
 */
final class DocumentRanking {

  private DocumentRanking() {
  }

  /**
   * @param keyword    the keyword ranking's chunks, best first
   * @param vector     the vector ranking's chunks, best first
   * @param chunks     the chunk-level fusion of the two (orders chunks within a document, and carries raw scores)
   * @param documentOf each candidate's document; a chunk without one (deleted meanwhile) is left out
   * @param fusion     how two rankings fuse, applied here to rankings of documents
   */
  static List<FusedChunk> rank(List<ScoredChunk> keyword, List<ScoredChunk> vector, List<FusedChunk> chunks,
                               Map<String, String> documentOf,
                               BiFunction<List<ScoredChunk>, List<ScoredChunk>, List<FusedChunk>> fusion) {
    List<FusedChunk> documents = fusion.apply(best(keyword, documentOf), best(vector, documentOf));
    Map<String, List<FusedChunk>> chunksOf = new HashMap<>();
    for (FusedChunk c : chunks) {
      String document = documentOf.get(c.chunkId());
      if (document != null) {
        chunksOf.computeIfAbsent(document, d -> new ArrayList<>()).add(c);
      }
    }
    List<FusedChunk> out = new ArrayList<>(chunks.size());
    for (FusedChunk d : documents) {
      for (FusedChunk c : chunksOf.getOrDefault(d.chunkId(), List.of())) {
        out.add(new FusedChunk(c.chunkId(), d.score(), c.keywordScore(), c.vectorScore()));
      }
    }
    return out;
  }

  /** A ranking of documents, each under its id, scored by its best chunk. */
  private static List<ScoredChunk> best(List<ScoredChunk> ranking, Map<String, String> documentOf) {
    Map<String, Double> documents = new LinkedHashMap<>();
    for (ScoredChunk c : ranking) {
      String document = documentOf.get(c.chunkId());
      if (document != null) {
        documents.putIfAbsent(document, c.score());
      }
    }
    List<ScoredChunk> out = new ArrayList<>(documents.size());
    documents.forEach((document, score) -> out.add(new ScoredChunk(document, score)));
    return out;
  }
}
