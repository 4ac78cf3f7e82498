package io.ganglion.inference.batch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts a window of prepared items into batches: sorted by length, so each batch pads to a length close to its
 * items' own, then cut greedily at {@code maxBatch} items or when {@code items * longest} would pass
 * {@code maxBatchTokens}. Batches come shortest first, which minimises the window's mean completion time.
 */
final class BatchPlan {

  private BatchPlan() {
  }

  static <T extends QueuedItem<?, ?, ?>> List<List<T>> cut(List<T> window, int maxBatch, int maxBatchTokens) {
    List<T> sorted = new ArrayList<>(window);
    sorted.sort(Comparator.comparingInt(item -> item.length));
    List<List<T>> batches = new ArrayList<>();
    List<T> current = new ArrayList<>();
    for (T item : sorted) {
      // sorted ascending, so the item joining a batch is its longest
      boolean full = current.size() == maxBatch || (long) (current.size() + 1) * item.length > maxBatchTokens;
      if (!current.isEmpty() && full) {
        batches.add(current);
        current = new ArrayList<>();
      }
      current.add(item);
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }
}
