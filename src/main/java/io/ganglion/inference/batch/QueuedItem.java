package io.ganglion.inference.batch;

/** One input waiting in a model's queue, with the submission it belongs to and its place there. */
final class QueuedItem<I, P, O> {

  final CallerRows<O> caller;
  final int index;
  final I input;
  final long enqueuedNanos;
  // set on the worker thread that takes the item, read only by that thread
  P prepared;
  int length;

  QueuedItem(CallerRows<O> caller, int index, I input, long enqueuedNanos) {
    this.caller = caller;
    this.index = index;
    this.input = input;
    this.enqueuedNanos = enqueuedNanos;
  }
}
