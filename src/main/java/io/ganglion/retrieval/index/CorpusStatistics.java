package io.ganglion.retrieval.index;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
public final class CorpusStatistics {

  public static final CorpusStatistics EMPTY = new CorpusStatistics(Map.of(), Map.of());

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
  public CorpusStatistics plus(CorpusStatistics other) {
    return new CorpusStatistics(sum(terms, other.terms), sum(collections, other.collections));
  }

  /**
   * {@code {"terms":[[field, text, docFreq, totalTermFreq]...], "fields":{field:[maxDoc, docCount, sumTotalTermFreq,
   * sumDocFreq]}}}: what a node sends back for the shards it holds. Term text is the analysed (UTF-8) term.
   */
  public JsonObject toJson() {
    JsonArray t = new JsonArray();
    terms.forEach((term, v) -> t.add(new JsonArray().add(term.field()).add(term.text()).add(v[0]).add(v[1])));
    JsonObject f = new JsonObject();
    collections.forEach((field, v) -> f.put(field, new JsonArray().add(v[0]).add(v[1]).add(v[2]).add(v[3])));
    return new JsonObject().put("terms", t).put("fields", f);
  }

  /** The statistics {@link #toJson} wrote. */
  public static CorpusStatistics fromJson(JsonObject json) {
    Map<Term, long[]> terms = new HashMap<>();
    for (Object o : json.getJsonArray("terms", new JsonArray())) {
      JsonArray a = (JsonArray) o;
      terms.put(new Term(a.getString(0), a.getString(1)), new long[] {a.getLong(2), a.getLong(3)});
    }
    Map<String, long[]> collections = new HashMap<>();
    JsonObject fields = json.getJsonObject("fields", new JsonObject());
    for (String field : fields.fieldNames()) {
      JsonArray a = fields.getJsonArray(field);
      collections.put(field, new long[] {a.getLong(0), a.getLong(1), a.getLong(2), a.getLong(3)});
    }
    return new CorpusStatistics(terms, collections);
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
