package io.ganglion.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded documents for the cluster tests: sentences drawn from a few operational topics, so keyword and vector
 * rankings differ and every shard holds some of each topic. Each document carries a {@code team} for filters.
 */
final class ClusterCorpus {

  static final List<String> QUERIES = List.of("replica shard failover", "latency budget for search",
    "snapshot of the vector graph", "rate limit tokens per minute", "how are ingestion jobs resumed");

  private static final String[][] TOPICS = {
    {"A replica of each shard is kept on another node.", "Failover moves traffic to a surviving replica.",
      "The shard owner loads its copy before the old owner drops it.", "Heartbeats detect a node that died."},
    {"Search latency stays within its budget under load.", "The latency budget of a query is two hundred milliseconds.",
      "Throughput is measured with wrk against the search route.", "Slow queries are logged with their timings."},
    {"The vector graph is snapshotted to disk every thirty seconds.", "A snapshot carries a format version.",
      "Graph compaction removes deleted vectors.", "The keyword index is rebuilt from stored chunks."},
    {"Rate limits count requests per minute for each key.", "Token budgets reset at midnight UTC.",
      "Redis holds the rate-limit buckets.", "A key over its limit gets 429 with Retry-After."},
    {"Ingestion jobs store their documents before they are accepted.", "A job is resumed by another node after a crash.",
      "Each document of a job is indexed or failed on its own.", "Job progress is published as events."}};
  private static final String[] TEAMS = {"search", "platform", "ops"};

  private ClusterCorpus() {
  }

  /** {@code n} documents, the same for the same seed. */
  static JsonArray documents(int n, long seed) {
    Random random = new Random(seed);
    JsonArray docs = new JsonArray();
    for (int i = 0; i < n; i++) {
      int topic = random.nextInt(TOPICS.length);
      List<String> sentences = new ArrayList<>();
      int count = 2 + random.nextInt(3);
      for (int s = 0; s < count; s++) {
        String[] pool = TOPICS[random.nextInt(4) == 0 ? random.nextInt(TOPICS.length) : topic];
        sentences.add(pool[random.nextInt(pool.length)]);
      }
      docs.add(new JsonObject().put("id", "doc-" + i).put("title", "Note " + i + " on topic " + topic)
        .put("text", String.join(" ", sentences))
        .put("metadata", new JsonObject().put("team", TEAMS[random.nextInt(TEAMS.length)])));
    }
    return docs;
  }
}
