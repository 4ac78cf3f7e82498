package io.ganglion.generation.impl;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with "equal jitter": retry {@code n} waits a uniform time in {@code [cap/2, cap]} where
 * {@code cap = min(max, base * 2^n)}. Half the step is kept so a retry never lands immediately on an upstream that
 * is shedding load; the random half spreads the callers that failed together.
 */
public final class RetryBackoff {

  private final long baseMs;
  private final long maxMs;
  private final LongUnaryOperator random;

  public RetryBackoff(long baseMs, long maxMs) {
    this(baseMs, maxMs, bound -> ThreadLocalRandom.current().nextLong(bound));
  }

  /** @param random a uniform draw in {@code [0, bound)} for a given bound; injectable for deterministic tests */
  public RetryBackoff(long baseMs, long maxMs, LongUnaryOperator random) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** The wait before retry {@code retry} (0 for the first retry), in milliseconds. */
  public long delayMs(int retry) {
    long cap = Math.min(maxMs, baseMs << Math.min(retry, 30));
    long half = cap / 2;
    return half + random.applyAsLong(cap - half + 1);
  }
}
