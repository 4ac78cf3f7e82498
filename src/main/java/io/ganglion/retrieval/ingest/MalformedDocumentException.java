package io.ganglion.retrieval.ingest;

import io.ganglion.bus.CodedFailure;
import io.ganglion.bus.ErrorCode;

/**
 * A document that cannot be read as its declared format: not a PDF, an encrypted PDF, bytes that are not UTF-8
 * text, or a file with no text at all. The verticle answers it with {@code UNPROCESSABLE} (422); the message is safe
 * to show to the client.
 */
public final class MalformedDocumentException extends Exception implements CodedFailure {

  public MalformedDocumentException(String message) {
    super(message);
  }

  public MalformedDocumentException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorCode errorCode() {
    return ErrorCode.UNPROCESSABLE;
  }
}
