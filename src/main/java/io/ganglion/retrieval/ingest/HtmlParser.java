package io.ganglion.retrieval.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;

/**
 * HTML to structured text with jsoup: {@code h1}–{@code h6} become headings, block elements end paragraphs,
 * {@code pre} keeps its lines, scripts, styles and navigation are dropped. The charset comes from the BOM or
 * {@code <meta charset>}, else UTF-8. The title is {@code <title>}, else the first heading.
 */
public final class HtmlParser implements DocumentParser {

  private static final Set<String> SKIPPED = Set.of(
    "head", "script", "style", "noscript", "template", "nav", "svg", "iframe", "object", "canvas", "button", "select");

  @Override
  public ParsedDocument parse(byte[] content) throws MalformedDocumentException {
    rejectBinary(content);
    try {
      return extract(Jsoup.parse(new ByteArrayInputStream(content), null, ""));
    } catch (IOException e) {
      throw new MalformedDocumentException("the HTML could not be read: " + e.getMessage(), e);
    }
  }

  @Override
  public ParsedDocument parse(String html) throws MalformedDocumentException {
    Utf8Text.rejectBinary(html);
    return extract(Jsoup.parse(html));
  }

  private static void rejectBinary(byte[] content) throws MalformedDocumentException {
    int n = Math.min(content.length, 8192);
    for (int i = 0; i < n; i++) {
      if (content[i] == 0) {
        throw new MalformedDocumentException("the document contains binary data, not HTML");
      }
    }
  }

  private static ParsedDocument extract(Document doc) throws MalformedDocumentException {
    StructuredTextBuilder out = new StructuredTextBuilder();
    StringBuilder inline = new StringBuilder();
    doc.body().filter(new NodeFilter() {
      @Override
      public FilterResult head(Node node, int depth) {
        if (node instanceof TextNode t) {
          inline.append(t.getWholeText());
          return FilterResult.CONTINUE;
        }
        if (!(node instanceof Element e)) {
          return FilterResult.SKIP_ENTIRELY;
        }
        String tag = e.normalName();
        if (SKIPPED.contains(tag)) {
          return FilterResult.SKIP_ENTIRELY;
        }
        if (tag.length() == 2 && tag.charAt(0) == 'h' && tag.charAt(1) >= '1' && tag.charAt(1) <= '6') {
          flush(inline, out);
          out.heading(tag.charAt(1) - '0', e.text());
          return FilterResult.SKIP_ENTIRELY;
        }
        if (tag.equals("pre")) {
          flush(inline, out);
          out.preformatted(e.wholeText());
          return FilterResult.SKIP_ENTIRELY;
        }
        if (tag.equals("br")) {
          inline.append(' ');
        } else if (e.isBlock()) {
          flush(inline, out);
        }
        return FilterResult.CONTINUE;
      }

      @Override
      public FilterResult tail(Node node, int depth) {
        if (node instanceof Element e && e.isBlock()) {
          flush(inline, out);
        }
        return FilterResult.CONTINUE;
      }
    });
    flush(inline, out);
    String title = doc.title().isBlank() ? out.firstHeading() : doc.title().strip();
    return out.build(title);
  }

  private static void flush(StringBuilder inline, StructuredTextBuilder out) {
    if (!inline.isEmpty()) {
      out.paragraph(inline.toString());
      inline.setLength(0);
    }
  }
}
