package io.ganglion.inference.batch;

import java.time.Duration;

/**
 * When a {@link MicroBatcher} runs a batch, and how much it queues.
 *
 * @param maxBatch items per batch; 1 disables batching (every item runs alone)
 * @param maxBatchTokens padded tokens per batch ({@code items * longest}); a single longer item still runs, alone
 * @param maxWait how long the oldest queued item may wait for a batch to fill before it runs anyway
 * @param queueCapacity items (not requests) that may wait per model; beyond it submissions fail fast
 * @param workers threads draining the queue, each running its own batches
 */
public record BatchPolicy(int maxBatch, int maxBatchTokens, Duration maxWait, int queueCapacity, int workers) {

  public BatchPolicy {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
    }
    if (maxBatchTokens < 1) {
      throw new IllegalArgumentException("maxBatchTokens must be at least 1, got " + maxBatchTokens);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
  }
}
