package io.ganglion.inference.batch;

import ai.djl.huggingface.tokenizers.Encoding;
import io.ganglion.inference.Lane;

/**
 * One tokenized input waiting in a lane of a model, with the submission it belongs to and its place there.
 * <p>
 * Lanes order items by {@link #round} first, then arrival: the first {@code maxBatch} items of every submission are
 * round 0, the next {@code maxBatch} round 1, and so on, so one submission of many inputs (a large
 * {@code /v1/embeddings} call) is interleaved with other callers' single queries instead of making them wait behind
 * all of it.
 */
final class QueuedItem<O> {

  final CallerRows<O> caller;
  final int index;
  final Encoding encoding;
  final int length;
  final Lane lane;
  final int round;
  final long seq;
  final long enqueuedNanos;
  final long deadlineMillis;

  QueuedItem(CallerRows<O> caller, int index, Encoding encoding, Lane lane, int round, long seq, long enqueuedNanos,
             long deadlineMillis) {
    this.caller = caller;
    this.index = index;
    this.encoding = encoding;
    this.length = encoding.getIds().length;
    this.lane = lane;
    this.round = round;
    this.seq = seq;
    this.enqueuedNanos = enqueuedNanos;
    this.deadlineMillis = deadlineMillis;
  }

  /** The item's caller gave up (its deadline passed, it was cancelled, or another of its items failed). */
  boolean gone(long nowMillis) {
    return caller.abandoned() || nowMillis >= deadlineMillis;
  }
}
