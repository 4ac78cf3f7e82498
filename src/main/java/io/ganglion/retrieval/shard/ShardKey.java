package io.ganglion.retrieval.shard;

/** One shard of one knowledge base, {@code <kbId>/<shard>}. */
public record ShardKey(long kbId, int shard) {

  @Override
  public String toString() {
    return kbId + "/" + shard;
  }

  /** The key {@link #toString} wrote. */
  static ShardKey parse(String text) {
    int slash = text.indexOf('/');
    return new ShardKey(Long.parseLong(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
  }
}
