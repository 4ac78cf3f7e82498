package io.ganglion.retrieval.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded synthetic chunks: text drawn from a vocabulary with a per-topic bias, and vectors clustered by topic, so
 * that keyword and vector rankings are both meaningful and reproducible.
 */
final class Corpus {

  static final int DIMENSION = 32;
  private static final String[] WORDS = ("server index passage answer question source reflex guard request leak "
    + "timeout retry budget shard replica vector graph token cache queue batch model latency throughput cluster "
    + "node failover snapshot rebuild ingest chunk filter fusion keyword ranking score").split(" ");

  private final Random random;
  private final float[][] centroids;

  Corpus(long seed, int topics) {
    this.random = new Random(seed);
    this.centroids = new float[topics][];
    for (int t = 0; t < topics; t++) {
      centroids[t] = gaussian(1.0f);
    }
  }

  /** {@code documents} documents of {@code chunksPerDocument} chunks; document i has topic i % topics. */
  List<ChunkRecord> chunks(int documents, int chunksPerDocument) {
    List<ChunkRecord> out = new ArrayList<>();
    for (int d = 0; d < documents; d++) {
      int topic = d % centroids.length;
      for (int c = 0; c < chunksPerDocument; c++) {
        out.add(chunk("doc-" + d, "doc-" + d + "#" + c, topic, Map.of("topic", "t" + topic)));
      }
    }
    return out;
  }

  ChunkRecord chunk(String documentId, String chunkId, int topic, Map<String, String> metadata) {
    StringBuilder text = new StringBuilder();
    int words = 8 + random.nextInt(25);
    for (int w = 0; w < words; w++) {
      // a topic prefers its own slice of the vocabulary, so term statistics differ between topics
      int i = random.nextInt(3) == 0 ? (topic * 3 + random.nextInt(4)) % WORDS.length : random.nextInt(WORDS.length);
      text.append(WORDS[i]).append(' ');
    }
    return record(documentId, chunkId, text.toString().strip(), near(topic), metadata);
  }

  static ChunkRecord record(String documentId, String chunkId, String text, float[] vector, Map<String, String> meta) {
    return new ChunkRecord(documentId, chunkId, "Title of " + documentId, text, null, 0, text.length(), meta, vector);
  }

  /** A vector close to a topic's centroid. */
  float[] near(int topic) {
    float[] noise = gaussian(0.3f);
    float[] v = new float[DIMENSION];
    for (int i = 0; i < DIMENSION; i++) {
      v[i] = centroids[topic][i] + noise[i];
    }
    return v;
  }

  private float[] gaussian(float scale) {
    float[] v = new float[DIMENSION];
    for (int i = 0; i < DIMENSION; i++) {
      v[i] = (float) random.nextGaussian() * scale;
    }
    return v;
  }
}
