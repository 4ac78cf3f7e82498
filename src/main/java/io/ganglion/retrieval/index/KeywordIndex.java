package io.ganglion.retrieval.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.SingleInstanceLockFactory;

/**
 * One shard's Lucene index: BM25 over {@link ChunkFields}, held in memory (it is derived data, snapshotted to disk).
 * <p>
 * <b>NOTE</b>: searches may run on any number of threads; each acquires the current searcher from the
 * {@link SearcherManager} and releases it in {@code finally}. Writes must be serialised by the caller (the shard's
 * write lock); they become visible to searches at {@link #refresh()}, which the write path calls, never a search.
 */
final class KeywordIndex implements Closeable {

  private static final Set<String> HIT_FIELDS = Set.of(
    ChunkFields.DOCUMENT_ID, ChunkFields.CHUNK_ID, ChunkFields.TITLE, ChunkFields.TEXT, ChunkFields.START,
    ChunkFields.END, ChunkFields.INJECTION);

  private final Directory directory;
  private final Analyzer analyzer = ChunkFields.analyzer();
  private final SnapshotDeletionPolicy commits = new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());
  private final IndexWriter writer;
  private final SearcherManager searchers;

  private KeywordIndex(Directory directory, IndexWriterConfig.OpenMode mode) throws IOException {
    this.directory = directory;
    IndexWriterConfig config = new IndexWriterConfig(analyzer)
      .setOpenMode(mode)
      .setIndexDeletionPolicy(commits);
    this.writer = new IndexWriter(directory, config);
    this.searchers = new SearcherManager(writer, null);
  }

  /** An empty in-memory index. */
  static KeywordIndex create() throws IOException {
    return new KeywordIndex(memory(), IndexWriterConfig.OpenMode.CREATE);
  }

  /**
   * Files up to this size are held as one heap buffer once written, larger ones as Lucene's list of blocks (a single
   * {@code byte[]} cannot pass 2 GB).
   */
  static final long ONE_BUFFER_MAX_BYTES = 1L << 30;

  /**
   * A heap directory whose files are each one buffer. The default one keeps a file as a list of small blocks, and every
   * clone or slice of an input (each term lookup, each postings or doc-values iterator) copies that whole list: on the
   * SciFact KB that was ~15 MB of garbage per ask, three quarters of its allocation. One buffer per file makes a slice
   * one view.
   */
  private static ByteBuffersDirectory memory() {
    return new ByteBuffersDirectory(new SingleInstanceLockFactory(), ByteBuffersDataOutput::new,
      (name, output) -> output.size() <= ONE_BUFFER_MAX_BYTES
        ? ByteBuffersDirectory.OUTPUT_AS_ONE_BUFFER.apply(name, output)
        : ByteBuffersDirectory.OUTPUT_AS_MANY_BUFFERS.apply(name, output));
  }

  /** An in-memory copy of an index written by {@link #writeSnapshot}; the snapshot stays untouched. */
  static KeywordIndex load(Path snapshot) throws IOException {
    ByteBuffersDirectory memory = memory();
    try (FSDirectory in = FSDirectory.open(snapshot)) {
      for (String file : in.listAll()) {
        if (!file.equals(IndexWriter.WRITE_LOCK_NAME)) {
          memory.copyFrom(in, file, file, IOContext.DEFAULT);
        }
      }
    }
    return new KeywordIndex(memory, IndexWriterConfig.OpenMode.APPEND);
  }

  Analyzer analyzer() {
    return analyzer;
  }

  void add(ChunkRecord chunk) throws IOException {
    writer.addDocument(document(chunk));
  }

  /** Atomically replaces every chunk of {@code documentId} by {@code chunks} (none: a delete). */
  void replace(String documentId, List<ChunkRecord> chunks) throws IOException {
    Term id = new Term(ChunkFields.DOCUMENT_ID, documentId);
    if (chunks.isEmpty()) {
      writer.deleteDocuments(id);
    } else {
      writer.updateDocuments(id, chunks.stream().map(KeywordIndex::document).toList());
    }
  }

  /** Makes the writes so far visible to searches. Blocking; call on the write path. */
  void refresh() throws IOException {
    searchers.maybeRefreshBlocking();
  }

  /** Reclaims the space of deleted chunks by merging segments. Slow; the caller holds the write lock. */
  void compact() throws IOException {
    writer.forceMergeDeletes();
    refresh();
  }

  CorpusStatistics statistics(Query query) throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      return CorpusStatistics.of(searcher, query);
    } finally {
      searchers.release(searcher);
    }
  }

  /**
   * The chunk ids of {@code hits}, in their order: from doc values, or from stored fields in snapshots written before
   * they were added. The hits are visited in doc order, so each segment's doc values are one forward iterator rather
   * than one per hit.
   */
  private static String[] chunkIds(IndexSearcher searcher, ScoreDoc[] hits) throws IOException {
    Integer[] byDoc = new Integer[hits.length];
    for (int i = 0; i < byDoc.length; i++) {
      byDoc[i] = i;
    }
    java.util.Arrays.sort(byDoc, java.util.Comparator.comparingInt(i -> hits[i].doc));
    List<org.apache.lucene.index.LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    StoredFields stored = null;
    String[] ids = new String[hits.length];
    org.apache.lucene.index.LeafReaderContext leaf = null;
    org.apache.lucene.index.SortedDocValues values = null;
    for (int i : byDoc) {
      int doc = hits[i].doc;
      if (leaf == null || doc >= leaf.docBase + leaf.reader().maxDoc()) {
        leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves));
        values = leaf.reader().getSortedDocValues(ChunkFields.CHUNK_ID);
      }
      if (values != null && values.advanceExact(doc - leaf.docBase)) {
        ids[i] = values.lookupOrd(values.ordValue()).utf8ToString();
      } else {
        stored = stored == null ? searcher.storedFields() : stored;
        ids[i] = stored.document(doc, Set.of(ChunkFields.CHUNK_ID)).get(ChunkFields.CHUNK_ID);
      }
    }
    return ids;
  }

  /** The best {@code n} chunks for {@code query} by Lucene's default BM25. */
  List<ScoredChunk> search(Query query, CorpusStatistics global, int n) throws IOException {
    return search(query, global, n, KeywordScoring.DEFAULT);
  }

  /** The best {@code n} chunks for {@code query}, scored with {@code global} statistics when given. */
  List<ScoredChunk> search(Query query, CorpusStatistics global, int n, KeywordScoring scoring) throws IOException {
    IndexSearcher base = searchers.acquire();
    try {
      boolean lucene = scoring.k1() == KeywordScoring.DEFAULT.k1() && scoring.b() == KeywordScoring.DEFAULT.b();
      IndexSearcher searcher = global != null ? new GlobalStatisticsSearcher(base.getIndexReader(), global)
        : lucene ? base : new IndexSearcher(base.getIndexReader());
      if (!lucene) {
        // a searcher of this query only: the shared one keeps Lucene's default
        searcher.setSimilarity(new org.apache.lucene.search.similarities.BM25Similarity((float) scoring.k1(), (float) scoring.b()));
      }
      TopDocs top = searcher.search(query, n);
      String[] ids = chunkIds(searcher, top.scoreDocs);
      List<ScoredChunk> out = new ArrayList<>(top.scoreDocs.length);
      for (int i = 0; i < ids.length; i++) {
        out.add(new ScoredChunk(ids[i], top.scoreDocs[i].score));
      }
      return out;
    } finally {
      searchers.release(base);
    }
  }

  /** The stored fields of the given chunks that are still live, by chunk id. */
  Map<String, StoredChunk> fetch(Collection<String> chunkIds) throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      Map<String, StoredChunk> out = new HashMap<>();
      StoredFields stored = searcher.storedFields();
      for (String chunkId : chunkIds) {
        TopDocs top = searcher.search(new TermQuery(new Term(ChunkFields.CHUNK_ID, chunkId)), 1);
        if (top.scoreDocs.length == 1) {
          Document d = stored.document(top.scoreDocs[0].doc, HIT_FIELDS);
          out.put(chunkId, new StoredChunk(d.get(ChunkFields.DOCUMENT_ID), chunkId, d.get(ChunkFields.TITLE),
            d.get(ChunkFields.TEXT), d.getField(ChunkFields.START).numericValue().intValue(),
            d.getField(ChunkFields.END).numericValue().intValue(), d.get(ChunkFields.INJECTION)));
        }
      }
      return out;
    } finally {
      searchers.release(searcher);
    }
  }

  /** Live chunks visible to searches. */
  int size() throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      return searcher.getIndexReader().numDocs();
    } finally {
      searchers.release(searcher);
    }
  }

  /**
   * Commits, then copies exactly the files of that commit into {@code target} (Lucene's hot-backup recipe: the
   * snapshot policy keeps them from being merged away mid-copy). The caller holds the write lock.
   */
  void writeSnapshot(Path target) throws IOException {
    writer.commit();
    IndexCommit commit = commits.snapshot();
    try (FSDirectory out = FSDirectory.open(target)) {
      for (String file : commit.getFileNames()) {
        out.copyFrom(directory, file, file, IOContext.DEFAULT);
      }
      out.sync(commit.getFileNames());
    } finally {
      commits.release(commit);
      writer.deleteUnusedFiles();
    }
  }

  @Override
  public void close() throws IOException {
    try (directory; writer; searchers) {
      // closes searchers, then the writer (without committing: the snapshot is the durable copy), then the directory
      writer.rollback();
    }
  }

  private static Document document(ChunkRecord c) {
    Document d = new Document();
    d.add(new StringField(ChunkFields.CHUNK_ID, c.chunkId(), Field.Store.YES));
    // read per hit at search time: doc values cost a fraction of loading stored fields
    d.add(new org.apache.lucene.document.SortedDocValuesField(ChunkFields.CHUNK_ID, new org.apache.lucene.util.BytesRef(c.chunkId())));
    d.add(new StringField(ChunkFields.DOCUMENT_ID, c.documentId(), Field.Store.YES));
    // read per candidate when hits are ranked by document
    d.add(new org.apache.lucene.document.SortedDocValuesField(ChunkFields.DOCUMENT_ID, new org.apache.lucene.util.BytesRef(c.documentId())));
    if (c.title() != null) {
      d.add(new StoredField(ChunkFields.TITLE, c.title()));
    }
    d.add(new StoredField(ChunkFields.TEXT, c.text()));
    d.add(new StoredField(ChunkFields.START, c.start()));
    d.add(new StoredField(ChunkFields.END, c.end()));
    if (c.injection() != null) {
      d.add(new StoredField(ChunkFields.INJECTION, c.injection()));
    }
    d.add(new TextField(ChunkFields.BODY, c.indexedText(), Field.Store.NO));
    d.add(new TextField(ChunkFields.EXACT, c.indexedText(), Field.Store.NO));
    if (!c.heading().isEmpty()) {
      d.add(new TextField(ChunkFields.HEADING, c.heading(), Field.Store.NO));
    }
    c.metadata().forEach((k, v) -> d.add(new StringField(ChunkFields.metaField(k), v, Field.Store.NO)));
    return d;
  }
}
