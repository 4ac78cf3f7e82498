package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;

/**
 * Admission of a search into retrieval's queue: one whose expected wait for a worker ({@link
 * RetrievalWorkers#expectedWaitMillis}) exceeds the time left before its deadline is refused at once with 5030
 * {@code overloaded} (HTTP 503 with Retry-After) rather than queued to time out (504). A search without a deadline, or
 * while the pool has no measured speed yet, is admitted.
 */
public final class SearchAdmission {

  private SearchAdmission() {
  }

  /**
   * @param expectedWaitMillis the queue's expected wait now
   * @param deadlineMillis     the search's deadline (epoch ms), {@code Long.MAX_VALUE} when it has none
   * @param nowMillis          the current time (epoch ms)
   * @throws io.vertx.core.eventbus.ReplyException 5030 when the search would wait past its deadline
   */
  public static void check(long expectedWaitMillis, long deadlineMillis, long nowMillis) {
    if (deadlineMillis == Long.MAX_VALUE) {
      return;
    }
    long leftMillis = deadlineMillis - nowMillis;
    if (expectedWaitMillis > leftMillis) {
      throw ErrorCode.OVERLOADED.exception("search is overloaded: about " + expectedWaitMillis
        + " ms of queued retrieval work ahead, " + Math.max(0, leftMillis) + " ms left before the deadline");
    }
  }
}
