package io.ganglion.retrieval.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** Seeded sample documents in every format, from the same prose. */
public final class Samples {

  private static final String[] WORDS = ("the server keeps an index of passages and answers questions with cited "
    + "sources while the reflex layer guards requests against leaks timeouts ERR_TIMEOUT E-1234 retries budgets "
    + "shards replicas vectors graphs tokens").split(" ");

  private Samples() {
  }

  /** Paragraphs of 2–5 sentences of 5–14 words, separated by blank lines. */
  static String prose(Random random, int paragraphs) {
    List<String> out = new ArrayList<>();
    for (int p = 0; p < paragraphs; p++) {
      StringBuilder sb = new StringBuilder();
      int sentences = 2 + random.nextInt(4);
      for (int s = 0; s < sentences; s++) {
        int words = 5 + random.nextInt(10);
        for (int w = 0; w < words; w++) {
          String word = WORDS[random.nextInt(WORDS.length)];
          sb.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
          sb.append(w == words - 1 ? ". " : " ");
        }
      }
      out.add(sb.toString().strip());
    }
    return String.join("\n\n", out);
  }

  static String markdown(String prose) {
    String[] paragraphs = prose.split("\n\n");
    StringBuilder sb = new StringBuilder("# Manual\n\n");
    for (int i = 0; i < paragraphs.length; i++) {
      if (i % 10 == 0) {
        sb.append("## Part ").append(i / 10).append("\n\n");
      }
      sb.append(i % 7 == 3 ? "- " + paragraphs[i].replace(". ", ". **Note** ") : paragraphs[i]).append("\n\n");
    }
    return sb.toString();
  }

  static String html(String prose) {
    String[] paragraphs = prose.split("\n\n");
    StringBuilder sb = new StringBuilder("<!doctype html><html><head><title>Manual</title><style>p{}</style></head><body>");
    sb.append("<nav>Home | Docs</nav><h1>Manual</h1>");
    for (int i = 0; i < paragraphs.length; i++) {
      if (i % 10 == 0) {
        sb.append("<h2>Part ").append(i / 10).append("</h2>");
      }
      sb.append(i % 5 == 0 ? "<div>" + paragraphs[i] + "</div>" : "<p>" + paragraphs[i].replace(" server ", " <b>server</b>\n ") + "</p>");
    }
    return sb.append("<script>var x = 1;</script></body></html>").toString();
  }

  /** A multi-page PDF, one line of at most ~90 characters per text line, paragraphs separated by a gap. */
  public static byte[] pdf(String prose) throws IOException {
    try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
      List<String> lines = new ArrayList<>();
      for (String paragraph : prose.split("\n\n")) {
        StringBuilder line = new StringBuilder();
        for (String word : paragraph.split(" ")) {
          if (line.length() + word.length() > 90) {
            lines.add(line.toString().strip());
            line.setLength(0);
          }
          line.append(word).append(' ');
        }
        lines.add(line.toString().strip());
        lines.add("");
      }
      int perPage = 45;
      for (int from = 0; from < lines.size(); from += perPage) {
        PDPage page = new PDPage();
        doc.addPage(page);
        try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
          cs.beginText();
          cs.setFont(font, 10);
          cs.setLeading(14);
          cs.newLineAtOffset(50, 740);
          for (String l : lines.subList(from, Math.min(lines.size(), from + perPage))) {
            cs.showText(l);
            cs.newLine();
          }
          cs.endText();
        }
      }
      doc.getDocumentInformation().setTitle("Manual");
      doc.save(out);
      return out.toByteArray();
    }
  }
}
