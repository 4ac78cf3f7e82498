package io.ganglion.retrieval.index;

import java.util.Map;

/** What the vector side knows of an ordinal: whose chunk it is, and the metadata its filters test. */
record VectorEntry(String chunkId, String documentId, Map<String, String> metadata) {

  boolean matches(Map<String, String> filters) {
    for (Map.Entry<String, String> f : filters.entrySet()) {
      if (!f.getValue().equals(metadata.get(f.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
