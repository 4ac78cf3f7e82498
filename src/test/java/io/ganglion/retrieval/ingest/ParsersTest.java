package io.ganglion.retrieval.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ParsersTest {

  @Test
  @DisplayName("HTML loses its markup, scripts and navigation but keeps headings, paragraphs and the title")
  void htmlStructure() throws Exception {
    ParsedDocument doc = DocumentFormat.HTML.parser().parse("""
      <html><head><title> Ops Guide </title><script>alert(1)</script></head>
      <body><nav>Home</nav><h1>Errors</h1><p>On <b>ERR_TIMEOUT</b> retry
      twice.</p><ul><li>E-1234 means quota</li><li>E-5 means auth</li></ul><pre>line 1
      line 2</pre></body></html>""");

    assertThat(doc.title()).isEqualTo("Ops Guide");
    assertThat(doc.text()).isEqualTo("Errors\n\nOn ERR_TIMEOUT retry twice.\n\nE-1234 means quota\n\nE-5 means auth\n\nline 1\nline 2");
    assertThat(doc.blocks()).extracting(TextBlock::kind).containsExactly(
      TextBlock.Kind.HEADING, TextBlock.Kind.PARAGRAPH, TextBlock.Kind.PARAGRAPH, TextBlock.Kind.PARAGRAPH,
      TextBlock.Kind.PARAGRAPH);
  }

  @Test
  @DisplayName("Markdown keeps heading levels and list items, drops emphasis and link targets")
  void markdownStructure() throws Exception {
    ParsedDocument doc = DocumentFormat.MARKDOWN.parser().parse("""
      # Title

      Some **bold** and [a link](http://x.example).

      * item one
      * item two
      """);

    assertThat(doc.title()).isEqualTo("Title");
    assertThat(doc.text()).isEqualTo("Title\n\nSome bold and a link.\n\nitem one\n\nitem two");
    assertThat(doc.blocks().getFirst()).isEqualTo(new TextBlock(TextBlock.Kind.HEADING, 1, 0, 5));
  }

  @Test
  @DisplayName("PDF text is extracted page by page with its information title")
  void pdfText() throws Exception {
    String prose = Samples.prose(new Random(3), 4);
    ParsedDocument doc = DocumentFormat.PDF.parser().parse(Samples.pdf(prose));

    assertThat(doc.title()).isEqualTo("Manual");
    assertThat(doc.text().replaceAll("\\s+", " ")).isEqualTo(prose.replaceAll("\\s+", " "));
    assertThat(doc.blocks()).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("Bytes that are not a PDF are refused as malformed, with a message a client can read")
  void malformedPdf() {
    byte[] notPdf = "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> DocumentFormat.PDF.parser().parse(notPdf))
      .isInstanceOf(MalformedDocumentException.class)
      .hasMessageContaining("PDF");
    assertThatThrownBy(() -> DocumentFormat.PDF.parser().parse(new byte[] {1, 2, 3}))
      .isInstanceOf(MalformedDocumentException.class);
  }

  @Test
  @DisplayName("A truncated PDF is refused as malformed, never an unchecked failure")
  void truncatedPdf() throws Exception {
    byte[] pdf = Samples.pdf("A short paragraph.");
    byte[] truncated = Arrays.copyOf(pdf, pdf.length / 3);
    assertThatThrownBy(() -> DocumentFormat.PDF.parser().parse(truncated))
      .isInstanceOf(MalformedDocumentException.class);
  }

  @Test
  @DisplayName("Binary data sent as HTML, and HTML with no text, are refused as malformed")
  void malformedHtml() {
    byte[] binary = {'<', 'p', '>', 0, 1, 2, (byte) 0xFF, '<', '/', 'p', '>'};
    assertThatThrownBy(() -> DocumentFormat.HTML.parser().parse(binary))
      .isInstanceOf(MalformedDocumentException.class)
      .hasMessageContaining("binary");
    assertThatThrownBy(() -> DocumentFormat.HTML.parser().parse("<html><body><script>x()</script><div> </div></body></html>"))
      .isInstanceOf(MalformedDocumentException.class)
      .hasMessageContaining("no text");
  }

  @Test
  @DisplayName("Invalid UTF-8 sent as text or Markdown is refused as malformed")
  void invalidUtf8() {
    byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> DocumentFormat.TEXT.parser().parse(latin1))
      .isInstanceOf(MalformedDocumentException.class).hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> DocumentFormat.MARKDOWN.parser().parse(latin1))
      .isInstanceOf(MalformedDocumentException.class);
  }

  @Test
  @DisplayName("Formats resolve from media types; unknown ones resolve to nothing")
  void formats() {
    assertThat(DocumentFormat.of("text/markdown; charset=utf-8")).contains(DocumentFormat.MARKDOWN);
    assertThat(DocumentFormat.of("image/png")).isEmpty();
  }
}
