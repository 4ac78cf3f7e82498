package io.ganglion.retrieval.ingest;

import java.util.Locale;
import java.util.Optional;

/** The document formats ingestion accepts, each with its parser. */
public enum DocumentFormat {
  TEXT(new PlainTextParser()),
  MARKDOWN(new MarkdownParser()),
  HTML(new HtmlParser()),
  PDF(new PdfParser());

  private final DocumentParser parser;

  DocumentFormat(DocumentParser parser) {
    this.parser = parser;
  }

  /** The thread-safe parser for this format. */
  public DocumentParser parser() {
    return parser;
  }

  /**
   * The format for a media type ({@code text/markdown; charset=utf-8}) or a short name ({@code md}, {@code pdf}).
   * Empty when unsupported: the verticle answers {@code UNSUPPORTED_MEDIA_TYPE} (415).
   */
  public static Optional<DocumentFormat> of(String typeOrName) {
    if (typeOrName == null) {
      return Optional.empty();
    }
    String t = typeOrName.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return Optional.ofNullable(switch (t) {
      case "text/plain", "text", "txt", "plain" -> TEXT;
      case "text/markdown", "text/x-markdown", "markdown", "md" -> MARKDOWN;
      case "text/html", "application/xhtml+xml", "html", "htm" -> HTML;
      case "application/pdf", "pdf" -> PDF;
      default -> null;
    });
  }
}
