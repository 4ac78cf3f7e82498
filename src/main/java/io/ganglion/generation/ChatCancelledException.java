package io.ganglion.generation;

import io.ganglion.bus.ErrorCode;

/** The caller cancelled the call ({@link ChatStream#cancel()}); the upstream request was reset. */
public final class ChatCancelledException extends ProviderException {

  public ChatCancelledException(String provider) {
    super(provider, "cancelled by the caller", null);
  }

  /** Usually nobody is waiting for the answer any more; when someone is, the service was unavailable to them. */
  @Override
  public ErrorCode errorCode() {
    return ErrorCode.UNAVAILABLE;
  }
}
