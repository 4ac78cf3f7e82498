package io.ganglion.retrieval.index;

/**
 * The size of a knowledge base's index.
 *
 * @param shards shard count
 * @param chunks live chunks visible to keyword search
 * @param deletedVectors deleted vectors still in the graphs; {@link KnowledgeBaseIndex#compact()} drops them
 * @param dimension vector dimension, 0 while empty
 */
public record IndexStats(int shards, int chunks, int deletedVectors, int dimension) {
}
