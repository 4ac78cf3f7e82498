package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One shard's vector index: a {@link VectorGraph} generation, replaced whole on compaction or load. Vectors are
 * normalised to unit length on the way in; their dimension is fixed by the first one.
 * <p>
 * <b>NOTE</b>: searches read the current generation without locking; writes, {@link #compact} and
 * {@link #writeSnapshot} must be serialised by the caller (the shard's write lock). A generation that is replaced is
 * closed, and {@link #close} closes the current one.
 */
final class VectorIndex implements Closeable {

  private static final VectorTypeSupport TYPES = VectorizationProvider.getInstance().getVectorTypeSupport();

  private volatile VectorGraph graph;

  VectorIndex() {
  }

  private VectorIndex(VectorGraph graph) {
    this.graph = graph;
  }

  void add(ChunkRecord chunk) {
    VectorFloat<?> unit = unit(chunk.vector());
    VectorGraph g = graph;
    if (g == null) {
      g = graph = new VectorGraph(unit.length());
    } else if (g.dimension() != unit.length()) {
      throw new IllegalArgumentException(
        "chunk " + chunk.chunkId() + " has a " + unit.length() + "-dimension vector; this index holds " + g.dimension());
    }
    g.add(new VectorEntry(chunk.chunkId(), chunk.documentId(), chunk.metadata()), unit);
  }

  void delete(String chunkId) {
    VectorGraph g = graph;
    if (g != null) {
      g.delete(chunkId);
    }
  }

  void deleteDocument(String documentId) {
    VectorGraph g = graph;
    if (g != null) {
      g.deleteDocument(documentId);
    }
  }

  List<ScoredChunk> search(float[] query, int k, Map<String, String> filters) {
    VectorGraph g = graph;
    if (g == null) {
      return List.of();
    }
    if (query.length != g.dimension()) {
      throw new IllegalArgumentException(
        "the query vector has " + query.length + " dimensions; this index holds " + g.dimension());
    }
    return g.search(unit(query), k, filters);
  }

  /** The current generation, {@code null} while empty. */
  VectorGraph generation() {
    return graph;
  }

  /** The dimension of the stored vectors, 0 while empty. */
  int dimension() {
    VectorGraph g = graph;
    return g == null ? 0 : g.dimension();
  }

  int live() {
    VectorGraph g = graph;
    return g == null ? 0 : g.live();
  }

  int deleted() {
    VectorGraph g = graph;
    return g == null ? 0 : g.ordinals() - g.live();
  }

  /**
   * Rebuilds the graph from the live vectors only, dropping deleted ordinals, and closes the old one (searches still
   * on it finish; see {@link VectorGraph}).
   */
  void compact() throws IOException {
    VectorGraph old = graph;
    if (old == null || old.live() == old.ordinals()) {
      return;
    }
    VectorGraph fresh = new VectorGraph(old.dimension());
    for (int i = 0; i < old.ordinals(); i++) {
      if (!old.isDeleted(i)) {
        fresh.add(old.entry(i), old.vector(i));
      }
    }
    graph = fresh;
    old.close();
  }

  @Override
  public void close() throws IOException {
    VectorGraph g = graph;
    if (g != null) {
      g.close();
    }
  }

  void writeSnapshot(Path dir) throws IOException {
    VectorSnapshot.write(graph, dir);
  }

  static VectorIndex load(Path dir) throws IOException {
    return new VectorIndex(VectorSnapshot.read(dir));
  }

  /** The vector scaled to unit length, as JVector's type. */
  static VectorFloat<?> unit(float[] vector) {
    double norm = 0;
    for (float v : vector) {
      norm += (double) v * v;
    }
    if (vector.length == 0 || !(norm > 0) || Double.isInfinite(norm)) {
      throw new IllegalArgumentException("a vector must be non-empty, finite and non-zero");
    }
    float[] unit = new float[vector.length];
    float scale = (float) (1.0 / Math.sqrt(norm));
    for (int i = 0; i < unit.length; i++) {
      unit[i] = vector[i] * scale;
    }
    return TYPES.createFloatVector(unit);
  }
}
