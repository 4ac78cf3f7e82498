package io.ganglion.retrieval;

import io.ganglion.store.DocumentRepository;

import java.util.Map;

/**
 * The reply of {@code ganglion.retrieval.sentences.local}: per chunk id, its sentences' document offsets and vectors,
 * made with {@code model} (the knowledge base's embedding model, {@code name@version}). Chunks stored without sentence
 * vectors are absent. Node-local, by reference: receivers must not modify the vectors.
 */
public record StoredSentences(String model, Map<String, DocumentRepository.ChunkSentences> chunks) {

  public StoredSentences {
    chunks = Map.copyOf(chunks);
  }
}
