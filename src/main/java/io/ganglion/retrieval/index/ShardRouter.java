package io.ganglion.retrieval.index;

import java.nio.charset.StandardCharsets;
import org.apache.lucene.util.StringHelper;

/**
 * Which shard a document lives in: Murmur3 (x86, 32-bit, seed 0) of the UTF-8 id, modulo the shard count. Every
 * node computes the same answer, and snapshots are laid out by it, so the function must never change; changing the
 * shard count means a rebuild.
 */
public final class ShardRouter {

  private ShardRouter() {
  }

  /** The shard of {@code documentId} among {@code shards} shards, in {@code [0, shards)}. */
  public static int shardOf(String documentId, int shards) {
    byte[] id = documentId.getBytes(StandardCharsets.UTF_8);
    return Math.floorMod(StringHelper.murmurhash3_x86_32(id, 0, id.length, 0), shards);
  }
}
