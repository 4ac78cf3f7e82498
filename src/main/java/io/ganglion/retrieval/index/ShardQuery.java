package io.ganglion.retrieval.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.search.Query;

/**
 * One search as each shard runs it: the {@link SearchQuery}, with its keyword query analysed once (on the node that
 * runs the shards; every node analyses the same text the same way). Immutable and thread-safe.
 */
public final class ShardQuery {

  /** Analysis is the same for every shard; an analyzer is thread-safe, so one serves every query. */
  private static final Analyzer ANALYZER = ChunkFields.analyzer();

  private final SearchQuery query;
  private final Query keyword;

  private ShardQuery(SearchQuery query, Query keyword) {
    this.query = query;
    this.keyword = keyword;
  }

  public static ShardQuery of(SearchQuery query) {
    Query keyword = query.mode() == SearchMode.VECTOR ? null : KeywordQuery.build(ANALYZER, query.text(), query.filters(),
      query.scoring());
    return new ShardQuery(query, keyword);
  }

  public SearchQuery query() {
    return query;
  }

  /** Whether a keyword ranking runs: keyword or hybrid mode, and the text has a searchable term. */
  public boolean keyword() {
    return keyword != null;
  }

  /** Whether a vector ranking runs. */
  public boolean vector() {
    return query.mode() != SearchMode.KEYWORD;
  }

  Query luceneQuery() {
    return keyword;
  }
}
