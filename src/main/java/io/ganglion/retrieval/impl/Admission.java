package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;

/**
 * Admission by deadline into retrieval's queues: work whose expected wait exceeds the time left before its caller's
 * deadline is refused at once with 5030 {@code overloaded} (HTTP 503 with Retry-After) rather than queued to time out
 * (504). Work without a deadline (jobs, the bus without {@code x-deadline}), or while the queue has no measured speed
 * yet (its expected wait is 0), is admitted.
 * <ul>
 *   <li>{@link #search}: a search against the retrieval pool ({@link RetrievalWorkers#expectedWaitMillis}).</li>
 *   <li>{@link #ingest}: a synchronous ingestion against the ingestion path's embedding backlog
 *   ({@link EmbedPermits#expectedWaitMillis}); the refusal tells the caller to retry later or send a job, which waits
 *   for capacity instead.</li>
 * </ul>
 */
public final class Admission {

  private Admission() {
  }

  /**
   * @param expectedWaitMillis the queue's expected wait now
   * @param deadlineMillis     the search's deadline (epoch ms), {@code Long.MAX_VALUE} when it has none
   * @param nowMillis          the current time (epoch ms)
   * @throws io.vertx.core.eventbus.ReplyException 5030 when the search would wait past its deadline
   */
  public static void search(long expectedWaitMillis, long deadlineMillis, long nowMillis) {
    long left = refusedAfter(expectedWaitMillis, deadlineMillis, nowMillis);
    if (left >= 0) {
      throw ErrorCode.OVERLOADED.exception("search is overloaded: about " + expectedWaitMillis
        + " ms of queued retrieval work ahead, " + left + " ms left before the deadline");
    }
  }

  /**
   * @param expectedWaitMillis how long the request's texts would take to be embedded behind the backlog
   * @param deadlineMillis     the request's deadline (epoch ms), {@code Long.MAX_VALUE} when it has none
   * @param nowMillis          the current time (epoch ms)
   * @throws io.vertx.core.eventbus.ReplyException 5030 when the ingestion would not be done before its deadline
   */
  public static void ingest(long expectedWaitMillis, long deadlineMillis, long nowMillis) {
    long left = refusedAfter(expectedWaitMillis, deadlineMillis, nowMillis);
    if (left >= 0) {
      throw ErrorCode.OVERLOADED.exception("ingestion is overloaded: embedding these documents behind the queued "
        + "ingestion work would take about " + expectedWaitMillis + " ms, " + left + " ms are left before the "
        + "request's deadline; retry later, or send them as a job (header 'Prefer: respond-async'), which waits for "
        + "capacity instead");
    }
  }

  /** The time left (at least 0) when the work must be refused, or -1 when it is admitted. */
  private static long refusedAfter(long expectedWaitMillis, long deadlineMillis, long nowMillis) {
    if (deadlineMillis == Long.MAX_VALUE) {
      return -1;
    }
    long left = deadlineMillis - nowMillis;
    return expectedWaitMillis > left ? Math.max(0, left) : -1;
  }
}
