package io.ganglion.egress;

/** An outbound request the {@link EgressGuard} refused: its target is not allowed. The message says why. */
public final class EgressRefusedException extends RuntimeException {

  public EgressRefusedException(String message) {
    super(message, null, false, false);
  }
}
