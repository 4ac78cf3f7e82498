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

  /**
   * The header carrying a request's absolute deadline, in milliseconds since the epoch: a consumer that queues work
   * (inference) drops what is still waiting when it passes, so a caller that timed out occupies nothing.
   */
  public static final String DEADLINE_HEADER = "x-deadline";

  /** {@code options} with the {@link #DEADLINE_HEADER} set to {@code timeoutMs} from now; returns {@code options}. */
  public static DeliveryOptions withDeadline(DeliveryOptions options, long timeoutMs) {
    return options.addHeader(DEADLINE_HEADER, Long.toString(System.currentTimeMillis() + timeoutMs));
  }

  /**
   * The deadline a request carries, or {@code Long.MAX_VALUE} when it has none or an unreadable one.
   *
   * @param header the {@link #DEADLINE_HEADER} value, or null
   */
  public static long deadlineOf(String header) {
    if (header == null) {
      return Long.MAX_VALUE;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Like {@link #within} and never leaves this node (for records sent with a {@link LocalCodec}). */
  public static DeliveryOptions localWithin(long timeoutMs) {
    return within(timeoutMs).setLocalOnly(true);
  }
}
