package io.ganglion.retrieval.ingest;

import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of one document into structured plain text. Implementations are stateless and thread-safe; they
 * block (PDF parsing can take seconds), so call them on the retrieval worker pool.
 */
public interface DocumentParser {

  /**
   * Parses a whole document.
   *
   * @throws MalformedDocumentException when the bytes are not a readable document of this format or hold no text
   */
  ParsedDocument parse(byte[] content) throws MalformedDocumentException;

  /** Parses a document given as text (JSON ingestion). Binary formats refuse it. */
  default ParsedDocument parse(String content) throws MalformedDocumentException {
    return parse(content.getBytes(StandardCharsets.UTF_8));
  }
}
