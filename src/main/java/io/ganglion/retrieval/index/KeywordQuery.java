package io.ganglion.retrieval.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * Builds the Lucene query for a user's words: every analysed term of the body and exact fields as an optional clause
 * (BM25 sums what matches; exact matches weighted by {@link KeywordScoring#exactWeight()}), each body term also in
 * the heading field at {@link KeywordScoring#headingWeight()} when that is above 0, and the metadata filters as
 * non-scoring required clauses. Built from tokens rather than the classic
 * query parser, so user input is never query syntax and cannot fail to parse.
 */
final class KeywordQuery {

  private KeywordQuery() {
  }

  /** The query, or {@code null} when the text has no searchable term (only stop words or punctuation). */
  static Query build(Analyzer analyzer, String text, Map<String, String> filters) {
    return build(analyzer, text, filters, KeywordScoring.DEFAULT);
  }

  /** As {@link #build(Analyzer, String, Map)}, with the field weights of {@code scoring}. */
  static Query build(Analyzer analyzer, String text, Map<String, String> filters, KeywordScoring scoring) {
    BooleanQuery.Builder terms = new BooleanQuery.Builder();
    int clauses = 0;
    for (String field : new String[] {ChunkFields.BODY, ChunkFields.EXACT}) {
      for (String token : tokens(analyzer, field, text)) {
        double weight = field.equals(ChunkFields.EXACT) ? scoring.exactWeight() : 1;
        if (weight > 0) {
          terms.add(weighted(new TermQuery(new Term(field, token)), weight), Occur.SHOULD);
          clauses++;
        }
        if (scoring.headingWeight() > 0 && field.equals(ChunkFields.BODY)) {
          terms.add(weighted(new TermQuery(new Term(ChunkFields.HEADING, token)), scoring.headingWeight()),
            Occur.SHOULD);
        }
      }
    }
    if (clauses == 0) {
      return null;
    }
    // the SHOULD clauses sit in their own query: next to FILTER clauses they would become optional
    BooleanQuery.Builder query = new BooleanQuery.Builder().add(terms.build(), Occur.MUST);
    filter(filters, query);
    return query.build();
  }

  private static Query weighted(Query query, double weight) {
    return weight == 1 ? query : new BoostQuery(query, (float) weight);
  }

  private static void filter(Map<String, String> filters, BooleanQuery.Builder query) {
    filters.forEach((k, v) -> query.add(new TermQuery(new Term(ChunkFields.metaField(k), v)), Occur.FILTER));
  }

  private static Set<String> tokens(Analyzer analyzer, String field, String text) {
    Set<String> out = new LinkedHashSet<>();
    try (TokenStream ts = analyzer.tokenStream(field, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException("analysing a string cannot fail", e);
    }
    return out;
  }
}
