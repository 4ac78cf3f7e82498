package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;

/**
 * JVector's view of a shard's vectors, which grow as chunks arrive. Values are not shared (each ordinal has its own
 * array), so JVector may read them from many threads without copies.
 */
final class GrowableVectorValues implements RandomAccessVectorValues {

  private final AppendOnlyList<VectorFloat<?>> vectors = new AppendOnlyList<>();
  private final int dimension;

  GrowableVectorValues(int dimension) {
    this.dimension = dimension;
  }

  /** Appends a vector and returns its ordinal. Caller holds the shard's write lock. */
  int add(VectorFloat<?> vector) {
    return vectors.add(vector);
  }

  @Override
  public int size() {
    return vectors.size();
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public VectorFloat<?> getVector(int ordinal) {
    return vectors.get(ordinal);
  }

  @Override
  public boolean isValueShared() {
    return false;
  }

  @Override
  public RandomAccessVectorValues copy() {
    return this;
  }
}
