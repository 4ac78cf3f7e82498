package io.ganglion.retrieval.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain UTF-8 text. The canonical text is the input unchanged, so offsets point into exactly what the client sent;
 * paragraphs are the runs between blank lines. Plain text has no headings and no title.
 */
public final class PlainTextParser implements DocumentParser {

  private static final Pattern BLANK_LINES = Pattern.compile("\\R[ \\t\\u00A0]*\\R\\s*");

  @Override
  public ParsedDocument parse(byte[] content) throws MalformedDocumentException {
    return parse(Utf8Text.decode(content));
  }

  @Override
  public ParsedDocument parse(String text) throws MalformedDocumentException {
    Utf8Text.rejectBinary(text);
    List<TextBlock> blocks = new ArrayList<>();
    Matcher m = BLANK_LINES.matcher(text);
    int from = 0;
    while (m.find()) {
      addTrimmed(text, from, m.start(), blocks);
      from = m.end();
    }
    addTrimmed(text, from, text.length(), blocks);
    if (blocks.isEmpty()) {
      throw new MalformedDocumentException("the document contains no text");
    }
    return new ParsedDocument(null, text, blocks);
  }

  private static void addTrimmed(String text, int start, int end, List<TextBlock> blocks) {
    while (start < end && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    if (end > start) {
      blocks.add(new TextBlock(TextBlock.Kind.PARAGRAPH, 0, start, end));
    }
  }
}
