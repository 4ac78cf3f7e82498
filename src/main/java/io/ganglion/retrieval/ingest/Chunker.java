package io.ganglion.retrieval.ingest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits a {@link ParsedDocument} into chunks of at most {@code chunkTokens} tokens, recursively on its structure:
 * a chunk never spans two sections (a heading starts a new one); within a section whole paragraphs are packed
 * together; a paragraph too long for one chunk is split into sentences, and a sentence too long into runs of words.
 * Consecutive chunks of a section share up to {@code overlapTokens} tokens of whole trailing pieces, so a fact cut
 * at a boundary is whole in one of them.
 * <p>
 * Every chunk is an exact slice of the document text: {@code text.substring(chunk.start(), chunk.end())}. Heading
 * text is not part of any chunk; it travels as {@link Chunk#headingPath()}. Thread-safe.
 */
public final class Chunker {

  private final TokenCounter tokens;
  private final int chunkTokens;
  private final int overlapTokens;

  /**
   * @param tokens counts tokens the way the embedding model will
   * @param chunkTokens the most tokens in a chunk, at least 1
   * @param overlapTokens tokens shared by consecutive chunks, below {@code chunkTokens}
   */
  public Chunker(TokenCounter tokens, int chunkTokens, int overlapTokens) {
    if (chunkTokens < 1 || overlapTokens < 0 || overlapTokens >= chunkTokens) {
      throw new IllegalArgumentException("need 0 <= overlapTokens < chunkTokens, got " + overlapTokens + " and " + chunkTokens);
    }
    this.tokens = tokens;
    this.chunkTokens = chunkTokens;
    this.overlapTokens = overlapTokens;
  }

  /** The chunks of {@code doc}, in document order, indexed from 0. */
  public List<Chunk> chunk(ParsedDocument doc) {
    String text = doc.text();
    List<Chunk> chunks = new ArrayList<>();
    Deque<Heading> headings = new ArrayDeque<>();
    List<Piece> section = new ArrayList<>();
    List<String> sectionPath = List.of();
    for (TextBlock block : doc.blocks()) {
      if (block.kind() == TextBlock.Kind.HEADING) {
        pack(text, section, sectionPath, chunks);
        section.clear();
        while (!headings.isEmpty() && headings.peekLast().level >= block.level()) {
          headings.removeLast();
        }
        headings.addLast(new Heading(block.level(), doc.textOf(block)));
        sectionPath = headings.stream().map(Heading::text).toList();
      } else {
        new PieceSplitter(text, tokens, chunkTokens).split(block.start(), block.end(), section);
      }
    }
    pack(text, section, sectionPath, chunks);
    return chunks;
  }

  private record Heading(int level, String text) { }

  private void pack(String text, List<Piece> pieces, List<String> path, List<Chunk> out) {
    int i = 0;
    int n = pieces.size();
    while (i < n) {
      int j = i;
      int sum = 0;
      while (j < n && (j == i || sum + pieces.get(j).tokens() <= chunkTokens)) {
        sum += pieces.get(j).tokens();
        j++;
      }
      int start = pieces.get(i).start();
      int end = pieces.get(j - 1).end();
      out.add(new Chunk(out.size(), start, end, text.substring(start, end), path, sum));
      if (j == n) {
        return;
      }
      i = overlapStart(pieces, i, j);
    }
  }

  /** Where the next chunk starts: the trailing pieces of [i, j) that fit the overlap and leave room for piece j. */
  private int overlapStart(List<Piece> pieces, int i, int j) {
    int k = j;
    int overlap = 0;
    int next = pieces.get(j).tokens();
    while (k - 1 > i) {
      int t = pieces.get(k - 1).tokens();
      if (overlap + t > overlapTokens || overlap + t + next > chunkTokens) {
        break;
      }
      overlap += t;
      k--;
    }
    return k;
  }
}
