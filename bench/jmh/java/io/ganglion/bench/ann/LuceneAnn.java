package io.ganglion.bench.ann;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * Lucene's HNSW, float32 or scalar-quantized, on a memory-mapped directory, searched through {@link IndexSearcher} with
 * {@link KnnFloatVectorQuery} (as an application would). Degree budget as JVector's: {@code M = 16} (Lucene doubles it
 * on layer 0, so 32 neighbours on the base layer), build beam 100. The search beam is the query's {@code k}; the best
 * 10 of the {@code k} are kept. Quantized forms can rescore their {@code k} candidates with the full-precision
 * vectors ({@link RescoreTopNQuery}), as Lucene recommends for its 4- and 1-bit encodings.
 */
final class LuceneAnn implements AnnIndex {

  static final int M = 16;
  static final int BUILD_BEAM = 100;
  private static final String FIELD = "v";

  private final String name;
  private final String dir;
  private final ScalarEncoding encoding;
  private final boolean rescore;

  LuceneAnn(String name, String dir, ScalarEncoding encoding, boolean rescore) {
    this.name = name;
    this.dir = dir;
    this.encoding = encoding;
    this.rescore = rescore;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String buildDir() {
    return dir;
  }

  private KnnVectorsFormat format(int threads, ExecutorService merges) {
    return encoding == null
      ? new Lucene99HnswVectorsFormat(M, BUILD_BEAM, threads, merges)
      : new Lucene104HnswScalarQuantizedVectorsFormat(encoding, M, BUILD_BEAM, threads, merges);
  }

  @Override
  public void build(AnnData data, Path out, int threads) throws Exception {
    float[][] base = data.base();
    ExecutorService merges = Executors.newFixedThreadPool(threads);
    long t0 = System.nanoTime();
    try (Directory d = FSDirectory.open(out)) {
      KnnVectorsFormat format = format(threads, merges);
      IndexWriterConfig config = new IndexWriterConfig()
        .setCodec(new Lucene104Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return format;
          }
        })
        .setRAMBufferSizeMB(4096)
        .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
      try (IndexWriter writer = new IndexWriter(d, config)) {
        // one indexing thread per core: each flushes its own segment, and the force-merge joins their graphs with
        // `threads` merge workers, Lucene's way of building one graph on several cores
        Thread[] indexers = new Thread[threads];
        IOException[] failure = new IOException[1];
        for (int t = 0; t < threads; t++) {
          int first = t;
          indexers[t] = new Thread(() -> {
            try {
              for (int i = first; i < base.length; i += threads) {
                Document doc = new Document();
                doc.add(new KnnFloatVectorField(FIELD, base[i], VectorSimilarityFunction.DOT_PRODUCT));
                doc.add(new org.apache.lucene.document.StoredField("id", i));
                writer.addDocument(doc);
              }
            } catch (IOException e) {
              failure[0] = e;
            }
          });
          indexers[t].start();
        }
        for (Thread t : indexers) {
          t.join();
        }
        if (failure[0] != null) {
          throw failure[0];
        }
        writer.commit();
        writer.forceMerge(1);
        writer.commit();
      }
    } finally {
      merges.shutdown();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Properties p = new Properties();
    p.setProperty("build", Double.toString(seconds));
    p.setProperty("threads", Integer.toString(threads));
    try (OutputStream os = Files.newOutputStream(out.resolve("build.properties"))) {
      p.store(os, name);
    }
  }

  @Override
  public Opened open(AnnData data, Path in) throws Exception {
    Directory d = FSDirectory.open(in);
    DirectoryReader reader = DirectoryReader.open(d);
    if (reader.leaves().size() != 1) {
      throw new IllegalStateException("expected one segment in " + in + ", found " + reader.leaves().size());
    }
    IndexSearcher searcher = new IndexSearcher(reader);
    // documents were added from several threads, so Lucene doc ids are not corpus ordinals: map them once
    int[] ordinal = new int[reader.maxDoc()];
    var stored = reader.storedFields();
    for (int doc = 0; doc < ordinal.length; doc++) {
      ordinal[doc] = stored.document(doc).getField("id").numericValue().intValue();
    }
    return new Opened() {
      @Override
      public Searcher searcher() {
        return (query, beam) -> {
          Query knn = new KnnFloatVectorQuery(FIELD, query, beam);
          if (rescore) {
            knn = RescoreTopNQuery.createFullPrecisionRescorerQuery(knn, query, FIELD, AnnData.TOP_K);
          }
          TopDocs top = searcher.search(knn, AnnData.TOP_K);
          int[] ids = new int[top.scoreDocs.length];
          for (int i = 0; i < ids.length; i++) {
            ScoreDoc sd = top.scoreDocs[i];
            ids[i] = ordinal[sd.doc];
          }
          return ids;
        };
      }

      @Override
      public double buildSeconds() throws IOException {
        Properties p = new Properties();
        try (InputStream is = Files.newInputStream(in.resolve("build.properties"))) {
          p.load(is);
        }
        return Double.parseDouble(p.getProperty("build"));
      }

      @Override
      public long fileBytes() throws IOException {
        // vector data (.vec float, .veq quantized), graph (.vex) and their metadata; rescoring reads the floats too
        try (Stream<Path> files = Files.list(in)) {
          return files.filter(f -> f.getFileName().toString().matches(".*\\.(vec|veq|vex|vem|vemf|vemq)$"))
            .mapToLong(f -> f.toFile().length()).sum();
        }
      }

      @Override
      public void close() throws IOException {
        reader.close();
        d.close();
      }
    };
  }
}
