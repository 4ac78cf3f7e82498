package io.ganglion.bus;

import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Delivery options with an explicit deadline: every hop sets one, the event bus's 30 s default is never relied on.
 */
public final class Deadlines {

  private Deadlines() {
  }

  /** A request that fails with {@link io.vertx.core.eventbus.ReplyFailure#TIMEOUT} after {@code timeoutMs}. */
  public static DeliveryOptions within(long timeoutMs) {
    return new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** Like {@link #within} and never leaves this node (for records sent with a {@link LocalCodec}). */
  public static DeliveryOptions localWithin(long timeoutMs) {
    return within(timeoutMs).setLocalOnly(true);
  }
}
