package io.ganglion.inference.batch;

import java.util.List;

/**
 * What a {@link MicroBatcher} batches: a model split into a per-item step and a per-batch step.
 * <p>
 * <b>NOTE</b>: all three methods are called on the batcher's own threads, never the submitter's, so they may block;
 * with several workers they are called concurrently and must be thread-safe.
 *
 * @param <I> what callers submit (a text)
 * @param <P> an input prepared for batching (its tokens)
 * @param <O> one output row (its vector)
 */
public interface BatchRunner<I, P, O> {

  /** Prepares one input, once, before it is placed in a batch; a failure fails only that input's caller. */
  P prepare(I input) throws Exception;

  /** The prepared input's length in tokens: batches are sorted and budgeted by it. */
  int length(P prepared);

  /** Runs one batch; returns exactly one output per input, in order. A failure fails every caller in the batch. */
  List<O> run(List<P> batch) throws Exception;
}
