package io.ganglion.bench.ann;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The benchmark's data set, generated once per size and dimension and kept under {@code dir}: {@code size} unit
 * vectors around 100 Gaussian cluster centres (embeddings cluster by topic; uniform random vectors would flatter
 * neither library), {@link #QUERIES} queries drawn the same way but not in the corpus, and the exact top
 * {@link #TOP_K} of every query by dot product. Files are raw little-endian floats ({@code base.f32},
 * {@code queries.f32}) and ints ({@code truth.i32}), so every JVM of a run reads the same bytes.
 */
public final class AnnData {

  public static final int TOP_K = 10;
  public static final int QUERIES = 1000;
  private static final long SEED = 42;

  public final Path dir;
  public final int size;
  public final int dimension;

  private AnnData(Path dir, int size, int dimension) {
    this.dir = dir;
    this.size = size;
    this.dimension = dimension;
  }

  /** The data set under {@code dir}, generating it (and its exact neighbours) when missing. */
  public static AnnData open(Path dir, int size, int dimension) throws IOException {
    AnnData data = new AnnData(dir, size, dimension);
    if (!Files.exists(dir.resolve("truth.i32"))) {
      data.generate();
    }
    return data;
  }

  /** Reads the corpus vectors: {@code size} arrays of {@code dimension} floats. */
  public float[][] base() throws IOException {
    return read(dir.resolve("base.f32"), size);
  }

  public float[][] queries() throws IOException {
    return read(dir.resolve("queries.f32"), QUERIES);
  }

  /** The exact top {@link #TOP_K} ordinals of each query, best first. */
  public int[][] truth() throws IOException {
    return readTruth(dir.resolve("truth.i32"), QUERIES);
  }

  /** Recall@10 of {@code found} (one array of ordinals per query) against the exact neighbours. */
  public static double recall(int[][] truth, int[][] found) {
    long hits = 0;
    for (int q = 0; q < found.length; q++) {
      int[] expected = truth[q].clone();
      Arrays.sort(expected);
      for (int i = 0; i < Math.min(TOP_K, found[q].length); i++) {
        hits += Arrays.binarySearch(expected, found[q][i]) >= 0 ? 1 : 0;
      }
    }
    return hits / (double) (found.length * TOP_K);
  }

  /**
   * Vectors of the data set's distribution: the same 100 centres (drawn first from the seed), then vectors around
   * them, from the same random sequence ({@code noiseSeed} = the data set's seed: the corpus, then the queries) or from
   * another one (new vectors for inserts).
   */
  public static final class Generator {
    private final float[][] centres = new float[100][];
    private final Random random;

    public Generator(int dimension, long noiseSeed) {
      Random seeded = new Random(SEED);
      for (int c = 0; c < centres.length; c++) {
        centres[c] = gaussian(seeded, dimension, 1.0f);
      }
      this.random = noiseSeed == SEED ? seeded : new Random(noiseSeed);
    }

    public float[] next() {
      return near(random, centres[random.nextInt(centres.length)]);
    }
  }

  private void generate() throws IOException {
    Files.createDirectories(dir);
    // one random sequence, so the same size gives the same bytes as every earlier run (about 20 s for 1M x 384)
    long g0 = System.nanoTime();
    Generator generator = new Generator(dimension, SEED);
    // the corpus is streamed to disk: at 1M x 384 it is 1.5 GB
    try (DataOutputStream out = output(dir.resolve("base.f32.tmp"))) {
      ByteBuffer row = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < size; i++) {
        row.clear();
        row.asFloatBuffer().put(generator.next());
        out.write(row.array());
      }
    }
    Files.move(dir.resolve("base.f32.tmp"), dir.resolve("base.f32"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    float[][] queries = new float[QUERIES][];
    for (int i = 0; i < QUERIES; i++) {
      queries[i] = generator.next();
    }
    write(dir.resolve("queries.f32"), queries);
    System.err.printf("generated %d + %d vectors: %.1f s%n", size, QUERIES, (System.nanoTime() - g0) / 1e9);
    long t0 = System.nanoTime();
    int[][] truth = exact(queries, o -> true);
    writeTruth(dir.resolve("truth.i32"), truth);
    System.err.printf("exact top %d of %d queries over %d vectors: %.1f s%n", TOP_K, QUERIES, size,
      (System.nanoTime() - t0) / 1e9);
  }

  /**
   * The exact top {@link #TOP_K} of each query among the ordinals {@code accept} passes, best first, computed once and
   * kept in the data set's directory as {@code truth-<name>.i32} ({@code name} must say what {@code accept} and
   * {@code queries} are: a cached file is reused as it is).
   */
  public int[][] exactFiltered(String name, float[][] queries, java.util.function.IntPredicate accept)
    throws IOException {
    Path file = dir.resolve("truth-" + name + ".i32");
    if (Files.exists(file)) {
      return readTruth(file, queries.length);
    }
    int[][] truth = exact(queries, accept);
    writeTruth(file, truth);
    return truth;
  }

  /**
   * Exact top-k by a full scan. The corpus is split into one slice per core; each thread reads its slice in tiles of
   * {@link #TILE} vectors (small enough to stay in the core's cache while every query is scored against them, so the
   * 1.5 GB of a 1M corpus is read from memory once rather than once per query) and keeps its own top-k per query,
   * merged at the end. Dot products are Lucene's {@code VectorUtil} (SIMD through the Vector API). At 1M x 384 and
   * 1,000 queries this is 384 G multiply-adds: a scalar loop did about 1 G/s per core, this about ten times that.
   */
  private int[][] exact(float[][] queries, java.util.function.IntPredicate accept) throws IOException {
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), size / TILE + 1));
    TopK[] parts = new TopK[threads];
    try (FileChannel ch = FileChannel.open(dir.resolve("base.f32"), StandardOpenOption.READ)) {
      IntStream.range(0, threads).parallel().forEach(t -> {
        try {
          parts[t] = scan(ch, queries, accept, (int) ((long) size * t / threads),
            (int) ((long) size * (t + 1) / threads));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    }
    TopK all = new TopK(queries.length);
    for (TopK part : parts) {
      for (int q = 0; q < queries.length; q++) {
        for (int i = 0; i < TOP_K; i++) {
          if (part.ids[q][i] >= 0) {
            all.offer(q, part.scores[q][i], part.ids[q][i]);
          }
        }
      }
    }
    return all.ids;
  }

  private static final int TILE = 256;

  private TopK scan(FileChannel ch, float[][] queries, java.util.function.IntPredicate accept, int from, int to)
    throws IOException {
    TopK top = new TopK(queries.length);
    float[][] tile = new float[TILE][dimension];
    int[] ordinals = new int[TILE];
    ByteBuffer buf = ByteBuffer.allocate(TILE * dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = from; start < to; start += TILE) {
      int n = Math.min(TILE, to - start);
      buf.clear().limit(n * dimension * Float.BYTES);
      long at = (long) start * dimension * Float.BYTES;
      while (buf.hasRemaining()) {
        int read = ch.read(buf, at + buf.position());
        if (read < 0) {
          throw new IOException("base.f32 is shorter than " + size + " vectors");
        }
      }
      buf.flip();
      var floats = buf.asFloatBuffer();
      int kept = 0;
      for (int i = 0; i < n; i++) {
        if (accept.test(start + i)) {
          floats.get(i * dimension, tile[kept], 0, dimension);
          ordinals[kept++] = start + i;
        }
      }
      for (int q = 0; q < queries.length; q++) {
        float[] query = queries[q];
        for (int i = 0; i < kept; i++) {
          top.offer(q, org.apache.lucene.util.VectorUtil.dotProduct(query, tile[i]), ordinals[i]);
        }
      }
    }
    return top;
  }

  /** The best {@link #TOP_K} (score, ordinal) of each query so far, best first; -1: none yet. */
  private static final class TopK {
    final float[][] scores;
    final int[][] ids;

    TopK(int queries) {
      scores = new float[queries][TOP_K];
      ids = new int[queries][TOP_K];
      for (int q = 0; q < queries; q++) {
        Arrays.fill(scores[q], Float.NEGATIVE_INFINITY);
        Arrays.fill(ids[q], -1);
      }
    }

    void offer(int q, float s, int id) {
      float[] best = scores[q];
      if (s <= best[TOP_K - 1]) {
        return;
      }
      int[] at = ids[q];
      int j = TOP_K - 1;
      while (j > 0 && (best[j - 1] < s || (best[j - 1] == s && at[j - 1] > id))) {
        best[j] = best[j - 1];
        at[j] = at[j - 1];
        j--;
      }
      best[j] = s;
      at[j] = id;
    }
  }

  private static int[][] readTruth(Path file, int queries) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int[][] truth = new int[queries][TOP_K];
    for (int[] row : truth) {
      for (int i = 0; i < TOP_K; i++) {
        row[i] = b.getInt();
      }
    }
    return truth;
  }

  private static void writeTruth(Path file, int[][] truth) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(truth.length * TOP_K * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int[] row : truth) {
      for (int id : row) {
        b.putInt(id);
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, b.array());
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private float[][] read(Path file, int count) throws IOException {
    float[][] out = new float[count][dimension];
    int rowsPerRead = Math.max(1, (1 << 20) / (dimension * Float.BYTES));
    ByteBuffer buf = ByteBuffer.allocate(rowsPerRead * dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (int row = 0; row < count; row += rowsPerRead) {
        int n = Math.min(rowsPerRead, count - row);
        buf.clear().limit(n * dimension * Float.BYTES);
        while (buf.hasRemaining()) {
          if (ch.read(buf) < 0) {
            throw new IOException(file + " is shorter than " + count + " vectors");
          }
        }
        buf.flip();
        for (int i = 0; i < n; i++) {
          buf.asFloatBuffer().get(out[row + i]);
          buf.position(buf.position() + dimension * Float.BYTES);
        }
      }
    }
    return out;
  }

  private void write(Path file, float[][] vectors) throws IOException {
    try (DataOutputStream out = output(file)) {
      ByteBuffer row = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] v : vectors) {
        row.clear();
        row.asFloatBuffer().put(v);
        out.write(row.array());
      }
    }
  }

  private static DataOutputStream output(Path file) throws IOException {
    OutputStream os = Files.newOutputStream(file);
    return new DataOutputStream(new BufferedOutputStream(os, 1 << 20));
  }

  static float[] near(Random random, float[] centre) {
    float[] v = gaussian(random, centre.length, 0.35f);
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] += centre[i];
      norm += v[i] * v[i];
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      v[i] *= scale;
    }
    return v;
  }

  static float[] gaussian(Random random, int dimension, float sigma) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian() * sigma;
    }
    return v;
  }
}
