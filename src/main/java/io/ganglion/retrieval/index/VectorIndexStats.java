package io.ganglion.retrieval.index;

/**
 * What one shard's vector index holds and where.
 *
 * @param kind {@link Kind#HEAP} while every vector is on the heap, {@link Kind#HEAP_SQ8} once its graph is walked on
 *             byte codes (above 2,048 vectors, with the Vector API); {@link Kind#DISK} once the shard has an on-disk
 *             graph walked with its float32 vectors, {@link Kind#DISK_PQ} walked with PQ codes (both with an in-heap
 *             segment for recent vectors)
 * @param vectors live vectors
 * @param deleted deleted vectors still held (dropped by the next merge or compaction)
 * @param onDisk live vectors in the on-disk segment
 * @param heapBytes heap the index holds: float32 vectors, their byte codes and graph of in-heap segments, PQ codes
 *                  and entries of the disk segment (estimates from sizes, not a heap walk)
 * @param diskBytes bytes of the disk segment's files (graph with inline vectors, codes, entries); read through the
 *                  page cache, not held on the heap
 * @param merges merges completed since the index was opened
 * @param lastMergeMillis how long the last merge took, -1 before the first
 */
public record VectorIndexStats(Kind kind, int vectors, int deleted, int onDisk, long heapBytes, long diskBytes,
                               long merges, long lastMergeMillis) {

  /** How a shard holds its vectors. */
  public enum Kind {
    HEAP, HEAP_SQ8, DISK, DISK_PQ;

    /** The name metrics and status replies use: {@code heap}, {@code heap-sq8}, {@code disk}, {@code disk-pq}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }
}
