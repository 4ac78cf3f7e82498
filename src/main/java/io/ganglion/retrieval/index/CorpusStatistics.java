package io.ganglion.retrieval.index;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TermStates;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.TermStatistics;

/**
 * The BM25 statistics of a query's terms over a set of shards: per term its document frequency and total term
 * frequency, per field its document count and total length. This is Elasticsearch's DFS phase: each shard reports
 * its local numbers ({@link #of}), they are summed ({@link #plus}), and every shard then scores with the sums
 * ({@link GlobalStatisticsSearcher}), so a score means the same on every shard and merged rankings are exactly those
 * of one unsharded index. Immutable.
 */
final class CorpusStatistics {

  static final CorpusStatistics EMPTY = new CorpusStatistics(Map.of(), Map.of());

  private final Map<Term, long[]> terms;        // term -> {docFreq, totalTermFreq}
  private final Map<String, long[]> collections; // field -> {maxDoc, docCount, sumTotalTermFreq, sumDocFreq}

  private CorpusStatistics(Map<Term, long[]> terms, Map<String, long[]> collections) {
    this.terms = terms;
    this.collections = collections;
  }

  /** One shard's statistics for the terms of {@code query}. */
  static CorpusStatistics of(IndexSearcher searcher, Query query) throws IOException {
    Set<Term> queryTerms = new java.util.HashSet<>();
    query.visit(QueryVisitor.termCollector(queryTerms));
    Map<Term, long[]> terms = new HashMap<>();
    Map<String, long[]> collections = new HashMap<>();
    for (Term t : queryTerms) {
      TermStates states = TermStates.build(searcher, t, true);
      terms.put(t, new long[] {states.docFreq(), states.totalTermFreq()});
      if (!collections.containsKey(t.field())) {
        CollectionStatistics c = searcher.collectionStatistics(t.field());
        collections.put(t.field(), c == null
          ? new long[] {searcher.getIndexReader().maxDoc(), 0, 0, 0}
          : new long[] {c.maxDoc(), c.docCount(), c.sumTotalTermFreq(), c.sumDocFreq()});
      }
    }
    return new CorpusStatistics(terms, collections);
  }

  /** The element-wise sum with another shard's statistics. */
  CorpusStatistics plus(CorpusStatistics other) {
    return new CorpusStatistics(sum(terms, other.terms), sum(collections, other.collections));
  }

  /** The global statistics of a term, or {@code null} when no shard has it. */
  TermStatistics term(Term term) {
    long[] s = terms.get(term);
    return s == null || s[0] == 0 ? null : new TermStatistics(term.bytes(), s[0], Math.max(s[0], s[1]));
  }

  /** The global statistics of a field, or {@code null} when no shard has it. */
  CollectionStatistics collection(String field) {
    long[] s = collections.get(field);
    return s == null || s[1] == 0 ? null : new CollectionStatistics(field, s[0], s[1], s[2], s[3]);
  }

  private static <K> Map<K, long[]> sum(Map<K, long[]> a, Map<K, long[]> b) {
    Map<K, long[]> out = new HashMap<>(a);
    b.forEach((k, v) -> out.merge(k, v, (x, y) -> {
      long[] r = new long[x.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = x[i] + y[i];
      }
      return r;
    }));
    return out;
  }
}
