package io.ganglion.retrieval.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding for the text formats: invalid bytes and NULs mean the upload is not text. */
final class Utf8Text {

  private Utf8Text() {
  }

  static String decode(byte[] content) throws MalformedDocumentException {
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(content))
        .toString();
      rejectBinary(s);
      // a byte-order mark is encoding, not text: offsets must start at the first real character
      return s.startsWith("\uFEFF") ? s.substring(1) : s;
    } catch (CharacterCodingException e) {
      throw new MalformedDocumentException("the document is not valid UTF-8 text", e);
    }
  }

  static void rejectBinary(String s) throws MalformedDocumentException {
    if (s.indexOf('\0') >= 0) {
      throw new MalformedDocumentException("the document contains binary data (NUL characters), not text");
    }
  }
}
