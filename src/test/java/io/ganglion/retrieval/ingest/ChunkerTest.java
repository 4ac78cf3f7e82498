package io.ganglion.retrieval.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkerTest {

  private final TokenCounter counter = new ApproximateTokenCounter();

  static Stream<Arguments> documents() throws Exception {
    String prose = Samples.prose(new Random(7), 60);
    return Stream.of(
      Arguments.of("plain text", DocumentFormat.TEXT.parser().parse(prose)),
      Arguments.of("markdown", DocumentFormat.MARKDOWN.parser().parse(Samples.markdown(prose))),
      Arguments.of("html", DocumentFormat.HTML.parser().parse(Samples.html(prose))),
      Arguments.of("pdf", DocumentFormat.PDF.parser().parse(Samples.pdf(prose))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  @DisplayName("Every chunk of every parser's output is the exact slice of the text its offsets name, within the token budget")
  void slicesMatchOffsets(String format, ParsedDocument doc) {
    List<Chunk> chunks = new Chunker(counter, 40, 8).chunk(doc);

    assertThat(chunks).hasSizeGreaterThan(3);
    for (Chunk c : chunks) {
      assertThat(doc.text().substring(c.start(), c.end())).isEqualTo(c.text());
      assertThat(counter.count(c.text())).isLessThanOrEqualTo(40);
      assertThat(c.text()).isEqualTo(c.text().strip());
    }
    assertThat(chunks).extracting(Chunk::index).containsExactlyElementsOf(
      java.util.stream.IntStream.range(0, chunks.size()).boxed().toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  @DisplayName("Chunks cover every paragraph character, in document order")
  void chunksCoverParagraphs(String format, ParsedDocument doc) {
    List<Chunk> chunks = new Chunker(counter, 40, 8).chunk(doc);
    boolean[] covered = new boolean[doc.text().length()];
    int lastStart = -1;
    for (Chunk c : chunks) {
      assertThat(c.start()).isGreaterThan(lastStart);
      lastStart = c.start();
      for (int i = c.start(); i < c.end(); i++) {
        covered[i] = true;
      }
    }
    for (TextBlock b : doc.blocks()) {
      for (int i = b.start(); i < b.end(); i++) {
        if (b.kind() == TextBlock.Kind.PARAGRAPH && !Character.isWhitespace(doc.text().charAt(i))) {
          assertThat(covered[i]).as("char %d of %s", i, format).isTrue();
        }
      }
    }
  }

  @Test
  @DisplayName("Consecutive chunks of a long paragraph overlap by whole sentences within the overlap budget")
  void overlapRepeatsTrailingSentences() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      sb.append("Sentence number ").append(i).append(" is short. ");
    }
    String paragraph = sb.toString().strip();
    ParsedDocument doc = DocumentFormat.TEXT.parser().parse(paragraph);

    List<Chunk> chunks = new Chunker(counter, 24, 8).chunk(doc);

    assertThat(chunks).hasSizeGreaterThan(2);
    for (int i = 1; i < chunks.size(); i++) {
      Chunk prev = chunks.get(i - 1);
      Chunk next = chunks.get(i);
      assertThat(next.start()).as("overlaps the previous chunk").isLessThan(prev.end());
      assertThat(counter.count(doc.text(), next.start(), prev.end())).isLessThanOrEqualTo(8);
      assertThat(next.text()).startsWith("Sentence number");
    }
  }

  @Test
  @DisplayName("A chunk never spans two sections and carries its heading path, which its citation text leaves out")
  void headingsStartSectionsAndFormThePath() throws Exception {
    String md = """
      # Guide

      Intro paragraph about the guide.

      ## Install

      Run the installer with care.

      ### Linux

      Use the tarball on Linux hosts.

      ## Usage

      Start the server and open the console.
      """;
    ParsedDocument doc = DocumentFormat.MARKDOWN.parser().parse(md);

    List<Chunk> chunks = new Chunker(counter, 200, 20).chunk(doc);

    assertThat(chunks).extracting(Chunk::headingPath).containsExactly(
      List.of("Guide"), List.of("Guide", "Install"), List.of("Guide", "Install", "Linux"), List.of("Guide", "Usage"));
    assertThat(chunks.get(2).text()).isEqualTo("Use the tarball on Linux hosts.");
    assertThat(chunks.get(2).indexedText("Guide")).isEqualTo("Guide\nInstall > Linux\nUse the tarball on Linux hosts.");
  }

  @Test
  @DisplayName("A sentence longer than a chunk is cut between words, and a single giant word by characters")
  void longSentencesAndWordsAreCut() throws Exception {
    String words = String.join(" ", java.util.Collections.nCopies(100, "word"));
    String blob = "x".repeat(600);
    ParsedDocument doc = DocumentFormat.TEXT.parser().parse(words + "\n\n" + blob);

    List<Chunk> chunks = new Chunker(counter, 16, 4).chunk(doc);

    for (Chunk c : chunks) {
      assertThat(doc.text().substring(c.start(), c.end())).isEqualTo(c.text());
      assertThat(counter.count(c.text())).isLessThanOrEqualTo(16);
      assertThat(c.text()).doesNotStartWith("ord");
    }
    assertThat(chunks.getLast().end()).isEqualTo(doc.text().length());
  }

  @Test
  @DisplayName("Plain text keeps the client's exact text, byte-order mark aside, so offsets point into what was sent")
  void plainTextIsTheOriginal() throws Exception {
    String original = "  First line.\r\n\r\n\tSecond   paragraph  \n";
    ParsedDocument doc = DocumentFormat.TEXT.parser().parse(("\uFEFF" + original).getBytes(StandardCharsets.UTF_8));

    assertThat(doc.text()).isEqualTo(original);
    assertThat(doc.blocks()).extracting(doc::textOf).containsExactly("First line.", "Second   paragraph");
    List<Chunk> chunks = new Chunker(counter, 100, 0).chunk(doc);
    assertThat(chunks).extracting(Chunk::text).containsExactly("First line.\r\n\r\n\tSecond   paragraph");
  }

  @Test
  @DisplayName("An overlap as large as the chunk is refused")
  void overlapMustBeBelowChunk() {
    assertThatThrownBy(() -> new Chunker(counter, 10, 10)).isInstanceOf(IllegalArgumentException.class);
  }
}
