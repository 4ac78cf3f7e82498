package io.ganglion.retrieval;

import java.util.List;
import java.util.Objects;

/**
 * A {@code ganglion.retrieval.sentences.local} request: the stored sentence vectors of chunks a search returned.
 * Node-local, passed by reference ({@code LocalCodec}).
 *
 * @param tenant the caller's tenant (another tenant's knowledge base answers 4040)
 * @param kb the knowledge base's name
 * @param chunkIds the chunks, as search hits name them ({@code <documentId>#<index>})
 */
public record SentenceLookup(String tenant, String kb, List<String> chunkIds) {

  public SentenceLookup {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(kb, "kb");
    chunkIds = List.copyOf(chunkIds);
  }
}
