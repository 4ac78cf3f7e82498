package io.ganglion.retrieval.index;

import java.util.Map;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.pattern.PatternTokenizer;

/**
 * The Lucene schema of a chunk, and the analysis of its searchable fields:
 * <ul>
 *   <li>{@link #BODY}: title, heading path and text with English analysis (stop words, possessives, Porter
 *       stemming), so "retries" finds "retry";</li>
 *   <li>{@link #HEADING}: the title and heading path alone, analysed as {@link #BODY}, so a query can weigh a match
 *       in the title above the same match in the text (BM25 per field: a short title field saturates fast);</li>
 *   <li>{@link #EXACT}: identifiers kept whole and lower-cased, so {@code E-1234}, {@code ERR_TIMEOUT} or
 *       {@code v2.3.1} match as typed (the standard tokenizer would cut {@code E-1234} into {@code e} and
 *       {@code 1234}, which match everywhere).</li>
 * </ul>
 */
final class ChunkFields {

  static final String CHUNK_ID = "chunk_id";
  static final String DOCUMENT_ID = "doc_id";
  static final String TITLE = "title";
  static final String TEXT = "text";
  static final String START = "start";
  static final String END = "end";
  /** The indirect-injection verdict recorded at ingestion (JSON text), stored only; absent when none was recorded. */
  static final String INJECTION = "injection";
  static final String BODY = "body";
  static final String HEADING = "heading";
  static final String EXACT = "exact";
  /** Prefix of the filterable metadata fields: {@code meta.<key>} holds the value as one term. */
  static final String META = "meta.";

  // a run of letters, digits and underscores, optionally joined by - . / : # into one identifier
  private static final Pattern IDENTIFIER = Pattern.compile("[\\p{L}\\p{N}_]+(?:[-./:#][\\p{L}\\p{N}_]+)*");

  private ChunkFields() {
  }

  /** The per-field analyzer for indexing and querying. Analyzers are thread-safe; share one per shard. */
  static Analyzer analyzer() {
    return new PerFieldAnalyzerWrapper(new EnglishAnalyzer(), Map.of(EXACT, exactAnalyzer()));
    // HEADING falls to the default (English) analyzer, as BODY does
  }

  static String metaField(String key) {
    return META + key;
  }

  private static Analyzer exactAnalyzer() {
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String fieldName) {
        Tokenizer tokenizer = new PatternTokenizer(IDENTIFIER, 0);
        return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
      }
    };
  }
}
