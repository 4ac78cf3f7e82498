package io.ganglion.cluster;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Bounded waits on a condition (Awaitility, polled every 100 ms): never a fixed sleep. */
final class Await {

  private Await() {
  }

  static void until(Duration atMost, String what, Callable<Boolean> condition) {
    Awaitility.await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
      .until(condition);
  }
}
