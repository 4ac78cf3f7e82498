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
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("truth.i32"))).order(ByteOrder.LITTLE_ENDIAN);
    int[][] truth = new int[QUERIES][TOP_K];
    for (int[] row : truth) {
      for (int i = 0; i < TOP_K; i++) {
        row[i] = b.getInt();
      }
    }
    return truth;
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
    int[][] truth = exact(queries, o -> true);
    ByteBuffer b = ByteBuffer.allocate(QUERIES * TOP_K * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int[] row : truth) {
      for (int id : row) {
        b.putInt(id);
      }
    }
    Files.write(dir.resolve("truth.i32.tmp"), b.array());
    Files.move(dir.resolve("truth.i32.tmp"), dir.resolve("truth.i32"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The exact top {@link #TOP_K} of each query among the ordinals {@code accept} passes, best first. */
  public int[][] exactFiltered(float[][] queries, java.util.function.IntPredicate accept) throws IOException {
    return exact(queries, accept);
  }

  /** Exact top-k by a full scan, in blocks of the corpus so that 1M vectors need not sit on the heap at once. */
  private int[][] exact(float[][] queries, java.util.function.IntPredicate accept) throws IOException {
    int count = queries.length;
    float[][] best = new float[count][TOP_K];
    int[][] ids = new int[count][TOP_K];
    for (float[] row : best) {
      Arrays.fill(row, Float.NEGATIVE_INFINITY);
    }
    int block = 50_000;
    try (FileChannel ch = FileChannel.open(dir.resolve("base.f32"), StandardOpenOption.READ)) {
      for (int start = 0; start < size; start += block) {
        int n = Math.min(block, size - start);
        ByteBuffer buf = ByteBuffer.allocate(n * dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long at = (long) start * dimension * Float.BYTES;
        while (buf.hasRemaining()) {
          at += ch.read(buf, at);
        }
        buf.flip();
        float[] flat = new float[n * dimension];
        buf.asFloatBuffer().get(flat);
        int offset = start;
        IntStream.range(0, count).parallel().forEach(q -> {
          float[] query = queries[q];
          for (int i = 0; i < n; i++) {
            if (!accept.test(offset + i)) {
              continue;
            }
            float s = 0;
            int base = i * dimension;
            for (int d = 0; d < dimension; d++) {
              s += query[d] * flat[base + d];
            }
            if (s > best[q][TOP_K - 1]) {
              int j = TOP_K - 1;
              while (j > 0 && best[q][j - 1] < s) {
                best[q][j] = best[q][j - 1];
                ids[q][j] = ids[q][j - 1];
                j--;
              }
              best[q][j] = s;
              ids[q][j] = offset + i;
            }
          }
        });
      }
    }
    return ids;
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
