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
    add(new JVectorAnn("jvector-heap-batch", JVectorAnn.Mode.HEAP, 0, true));
    add(new JVectorAnn("jvector-heap-sq8-batch", JVectorAnn.Mode.HEAP, 0, true));
    add(new JVectorAnn("jvector-disk", JVectorAnn.Mode.DISK, 0));
    add(new JVectorAnn("jvector-disk-batch", JVectorAnn.Mode.DISK, 0, true));
    for (int factor : JVectorAnn.PQ_FACTORS) {
      add(new JVectorAnn("jvector-heap-pq" + factor, JVectorAnn.Mode.HEAP_PQ, factor));
      add(new JVectorAnn("jvector-pq" + factor, JVectorAnn.Mode.PQ, factor));
    }
    add(new JVectorAnn("jvector-fused8", JVectorAnn.Mode.FUSED, 8));
    add(new JVectorAnn("jvector-fused2", JVectorAnn.Mode.FUSED, 2));
  }

  private AnnConfigs() {
  }

  private static void add(AnnIndex index) {
    ALL.put(index.name(), index);
  }

  /**
   * The configuration called {@code name}. A {@code +panama} suffix runs a JVector configuration on JVector's Panama
   * (Java Vector API) provider instead of its native SIMD library; {@link AnnProvider#choose} must have been called
   * first.
   */
  static AnnIndex get(String name) {
    String suffix = AnnProvider.PANAMA;
    String base = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
    AnnIndex index = ALL.get(base);
    if (index == null) {
      throw new IllegalArgumentException("unknown configuration " + name + "; known: " + ALL.keySet());
    }
    return base.equals(name) ? index : new Renamed(name, index);
  }

  private record Renamed(String name, AnnIndex index) implements AnnIndex {
    @Override
    public String buildDir() {
      return index.buildDir();
    }

    @Override
    public void build(AnnData data, java.nio.file.Path dir, int threads) throws Exception {
      index.build(data, dir, threads);
    }

    @Override
    public Opened open(AnnData data, java.nio.file.Path dir) throws Exception {
      return index.open(data, dir);
    }
  }
}
