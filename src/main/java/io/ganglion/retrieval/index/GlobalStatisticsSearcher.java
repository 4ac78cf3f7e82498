package io.ganglion.retrieval.index;

import java.io.IOException;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermStatistics;

/**
 * An {@link IndexSearcher} over one shard that scores with statistics gathered from all shards. Lucene's BM25 takes
 * idf and average field length only from these two methods, so overriding them is all it takes (the same hook
 * Elasticsearch's DFS query phase uses). Norms and term frequencies stay per document, as they should.
 * <p>
 * <b>NOTE</b>: one instance per query; it is cheap (no caches are built) and holds no resources of its own: the
 * caller owns the reader's reference.
 */
final class GlobalStatisticsSearcher extends IndexSearcher {

  private final CorpusStatistics global;

  GlobalStatisticsSearcher(IndexReader reader, CorpusStatistics global) {
    super(reader);
    this.global = global;
  }

  @Override
  public TermStatistics termStatistics(Term term, int docFreq, long totalTermFreq) throws IOException {
    TermStatistics stats = global.term(term);
    return stats != null ? stats : super.termStatistics(term, docFreq, totalTermFreq);
  }

  @Override
  public CollectionStatistics collectionStatistics(String field) throws IOException {
    CollectionStatistics stats = global.collection(field);
    return stats != null ? stats : super.collectionStatistics(field);
  }
}
