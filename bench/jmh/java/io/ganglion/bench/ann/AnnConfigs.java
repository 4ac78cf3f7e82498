package io.ganglion.bench.ann;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/** Every configuration {@code bench/ann.sh} knows, by name. */
final class AnnConfigs {

  static final Map<String, AnnIndex> ALL = new LinkedHashMap<>();

  static {
    add(new LuceneAnn("lucene-hnsw", "lucene-hnsw", null, false));
    add(new LuceneAnn("lucene-sq8", "lucene-sq8", ScalarEncoding.UNSIGNED_BYTE, false));
    add(new LuceneAnn("lucene-sq8-rr", "lucene-sq8", ScalarEncoding.UNSIGNED_BYTE, true));
    add(new LuceneAnn("lucene-sq4-rr", "lucene-sq4", ScalarEncoding.PACKED_NIBBLE, true));
    add(new LuceneAnn("lucene-bq-rr", "lucene-bq", ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE, true));
    add(new JVectorAnn("jvector-heap", JVectorAnn.Mode.HEAP, 0));
    add(new JVectorAnn("jvector-disk", JVectorAnn.Mode.DISK, 0));
    for (int factor : JVectorAnn.PQ_FACTORS) {
      add(new JVectorAnn("jvector-heap-pq" + factor, JVectorAnn.Mode.HEAP_PQ, factor));
      add(new JVectorAnn("jvector-pq" + factor, JVectorAnn.Mode.PQ, factor));
    }
    add(new JVectorAnn("jvector-fused8", JVectorAnn.Mode.FUSED, 8));
  }

  private AnnConfigs() {
  }

  private static void add(AnnIndex index) {
    ALL.put(index.name(), index);
  }

  static AnnIndex get(String name) {
    AnnIndex index = ALL.get(name);
    if (index == null) {
      throw new IllegalArgumentException("unknown configuration " + name + "; known: " + ALL.keySet());
    }
    return index;
  }
}
