package io.ganglion.retrieval.index;

/**
 * A chunk after fusion.
 *
 * @param score the fused score that orders the result
 * @param keywordScore the chunk's raw keyword score, {@code null} when absent from that ranking
 * @param vectorScore the chunk's raw vector score, {@code null} when absent from that ranking
 */
public record FusedChunk(String chunkId, double score, Double keywordScore, Double vectorScore) {
}
