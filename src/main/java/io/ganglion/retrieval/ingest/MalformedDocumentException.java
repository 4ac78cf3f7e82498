package io.ganglion.retrieval.ingest;

/**
 * A document that cannot be read as its declared format: not a PDF, an encrypted PDF, bytes that are not UTF-8
 * text, or a file with no text at all. The verticle answers it with {@code UNPROCESSABLE} (422); the message is safe
 * to show to the client.
 */
public final class MalformedDocumentException extends Exception {

  public MalformedDocumentException(String message) {
    super(message);
  }

  public MalformedDocumentException(String message, Throwable cause) {
    super(message, cause);
  }
}
