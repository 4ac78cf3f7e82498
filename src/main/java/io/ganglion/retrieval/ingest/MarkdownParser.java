package io.ganglion.retrieval.ingest;

import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Node;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.Text;
import org.commonmark.node.ThematicBreak;
import org.commonmark.parser.Parser;

/**
 * CommonMark to structured text: headings keep their level, paragraphs and list items become paragraphs, code blocks
 * keep their lines, markup ({@code **}, links' URLs, HTML) is dropped. The title is the first heading.
 */
public final class MarkdownParser implements DocumentParser {

  // Parser is immutable and documented as thread-safe
  private final Parser parser = Parser.builder().build();

  @Override
  public ParsedDocument parse(byte[] content) throws MalformedDocumentException {
    return parse(Utf8Text.decode(content));
  }

  @Override
  public ParsedDocument parse(String markdown) throws MalformedDocumentException {
    Utf8Text.rejectBinary(markdown);
    StructuredTextBuilder out = new StructuredTextBuilder();
    blocks(parser.parse(markdown), out);
    return out.build(out.firstHeading());
  }

  private static void blocks(Node parent, StructuredTextBuilder out) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
      switch (n) {
        case Heading h -> out.heading(h.getLevel(), inline(h));
        case Paragraph p -> out.paragraph(inline(p));
        case FencedCodeBlock c -> out.preformatted(c.getLiteral());
        case IndentedCodeBlock c -> out.preformatted(c.getLiteral());
        case HtmlBlock ignored -> { }
        case ThematicBreak ignored -> { }
        // Document, BlockQuote, lists and list items: containers of blocks
        default -> blocks(n, out);
      }
    }
  }

  private static String inline(Node parent) {
    StringBuilder sb = new StringBuilder();
    inline(parent, sb);
    return sb.toString();
  }

  private static void inline(Node parent, StringBuilder sb) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
      switch (n) {
        case Text t -> sb.append(t.getLiteral());
        case Code c -> sb.append(c.getLiteral());
        case SoftLineBreak ignored -> sb.append(' ');
        case HardLineBreak ignored -> sb.append(' ');
        default -> inline(n, sb);
      }
    }
  }
}
