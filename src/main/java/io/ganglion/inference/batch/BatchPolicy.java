package io.ganglion.inference.batch;

import java.time.Duration;

/**
 * When a batch is cut, how big it may be, and what each lane of a model holds.
 *
 * @param maxBatch items per batch; 1 disables batching (every item runs alone)
 * @param maxBatchTokens padded tokens ({@code items * longest}) of a batch that holds interactive items; a single
 *     longer item still runs, alone
 * @param maxWait how long the oldest queued item may wait for a batch to fill before one is cut anyway (when a worker
 *     is free)
 * @param interactiveCapacity interactive items (not requests) that may wait per model; beyond it requests fail fast
 * @param bulkCapacity bulk items that may wait per model; beyond it bulk requests wait for room
 * @param bulkBatchTokens padded tokens of a batch made of bulk items only (at most {@code maxBatchTokens}), and how far
 *     bulk items may fill a batch of interactive ones (or as far as the interactive items already pad it): smaller
 *     bounds how long an interactive item arriving meanwhile waits for a worker, and how long its own batch runs;
 *     larger pads and switches less
 * @param bulkMinShare the share of a batch's items kept for bulk while bulk items wait (0 to 1; 0 lets interactive
 *     traffic starve bulk), so ingestion moves on under any query load
 * @param bulkMaxWaiting bulk requests that may wait for room in a full bulk lane; beyond it they fail with 5030
 */
public record BatchPolicy(int maxBatch, int maxBatchTokens, Duration maxWait, int interactiveCapacity,
                          int bulkCapacity, int bulkBatchTokens, double bulkMinShare, int bulkMaxWaiting) {

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
    if (interactiveCapacity < 1 || bulkCapacity < 1) {
      throw new IllegalArgumentException("lane capacities must be at least 1, got " + interactiveCapacity + " and "
        + bulkCapacity);
    }
    if (bulkBatchTokens < 1 || bulkBatchTokens > maxBatchTokens) {
      throw new IllegalArgumentException("bulkBatchTokens must be between 1 and maxBatchTokens (" + maxBatchTokens
        + "), got " + bulkBatchTokens);
    }
    if (!(bulkMinShare >= 0 && bulkMinShare <= 1)) {
      throw new IllegalArgumentException("bulkMinShare must be between 0 and 1, got " + bulkMinShare);
    }
    if (bulkMaxWaiting < 0) {
      throw new IllegalArgumentException("bulkMaxWaiting must not be negative, got " + bulkMaxWaiting);
    }
  }

  /** Items of a batch kept for bulk while bulk items wait: at least one when the share is above 0. */
  int bulkSlots() {
    return bulkMinShare == 0 ? 0 : Math.max(1, (int) Math.ceil(bulkMinShare * maxBatch));
  }
}
