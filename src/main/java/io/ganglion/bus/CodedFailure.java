package io.ganglion.bus;

/**
 * A failure that knows its bus code. Exceptions of the verticles' own packages implement it (a full inference queue
 * is {@link ErrorCode#OVERLOADED}, a duplicate knowledge base {@link ErrorCode#CONFLICT}), so {@link ErrorCode#of}
 * classifies them without {@code bus} importing any verticle package.
 */
public interface CodedFailure {

  /** The code a request failing with this answers with. */
  ErrorCode errorCode();
}
