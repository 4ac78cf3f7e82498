package io.ganglion.bench.ann;

import java.nio.file.Path;

/**
 * One index configuration of the ANN benchmark: how it is built from an {@link AnnData} set and how it is searched.
 * Configurations that share a build (several search modes over one graph) share {@link #buildDir}.
 */
interface AnnIndex {

  /** The name in the summary table, starting with the library: {@code jvector-pq}, {@code lucene-hnsw}. */
  String name();

  /** The directory (under the data set's) holding this configuration's build; shared when builds are shared. */
  String buildDir();

  /** Builds into {@code dir} (empty), writing build times to {@code dir/build.properties}. */
  void build(AnnData data, Path dir, int threads) throws Exception;

  /** Opens a build for searching. */
  Opened open(AnnData data, Path dir) throws Exception;

  /** A build opened for searching; {@link #searcher} is called once per benchmark thread. */
  interface Opened extends AutoCloseable {
    Searcher searcher() throws Exception;

    /** Seconds the build of this configuration took (the shared part included). */
    double buildSeconds() throws Exception;

    /** Bytes of the files this configuration reads while searching (vectors, graph, codes). */
    long fileBytes() throws Exception;
  }

  /** One thread's search handle. */
  interface Searcher extends AutoCloseable {
    /** The ordinals of the best {@link AnnData#TOP_K}, searching with a beam of {@code beam} candidates. */
    int[] search(float[] query, int beam) throws Exception;

    @Override
    default void close() throws Exception {
    }
  }
}
