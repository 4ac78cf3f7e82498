package io.ganglion.cluster;

import io.ganglion.retrieval.index.ShardRouter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes dying and leaving, one cluster for the class, in order: a killed node, a node that comes back after missing
 * changes, a job whose node was killed, a clean stop.
 */
@DisplayName("A three-node cluster losing nodes: kill -9, rejoin, durable jobs, clean stop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverIT {

  static final String KB = "failover";
  static final int SHARDS = 4;
  static LocalCluster cluster;
  static NodeProcess one;
  static NodeProcess two;
  static NodeProcess three;
  /** A version of the default model loaded at runtime while node-3 is down (missedChangesWhileDown). */
  static final String LATE_MODEL_VERSION = "late";
  static final String LATE_MODEL = "bge-small-en-v1.5@" + LATE_MODEL_VERSION;

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.start(3, Map.of("retrieval.snapshotIntervalMs", "1000", "retrieval.jobLeaseMs", "3000",
      "retrieval.asyncThreshold", "5"));
    one = cluster.node(1);
    two = cluster.node(2);
    three = cluster.node(3);
    awaitView(one, 3, "green");
    assertThat(cluster.postJson(one, "/v1/kbs", new JsonObject().put("name", KB)).statusCode()).isEqualTo(201);
    // at most 5 documents per request stay synchronous here: 40 go in 8 requests
    JsonArray docs = ClusterCorpus.documents(40, 11);
    for (int from = 0; from < docs.size(); from += 5) {
      JsonArray slice = new JsonArray(docs.getList().subList(from, Math.min(docs.size(), from + 5)));
      HttpResponse<String> r = cluster.postJson(one, "/v1/kbs/" + KB + "/documents", new JsonObject().put("documents", slice));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    awaitView(one, 3, "green");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  @DisplayName("kill -9 of a node: detected within the failure timeout, then searches through the survivors are complete")
  void killedNode() throws Exception {
    // snapshots of node-3's copies exist (written every second), so its return below replays the change log
    long owned = shards(LocalCluster.json(cluster.get(one, "/v1/cluster"))).stream()
      .filter(s -> ((JsonObject) s).getJsonArray("owners").contains("node-3")).count();
    Await.until(Duration.ofSeconds(30), "node-3 wrote snapshots of its " + owned + " copies", () -> snapshots(three) >= owned);
    long killed = System.nanoTime();
    three.kill();
    Await.until(Duration.ofSeconds(15), "node-1 sees node-3 gone", () -> members(one) == 2);
    System.out.printf("failure detected after %d ms%n", (System.nanoTime() - killed) / 1_000_000);
    for (int i = 0; i < 20; i++) {
      for (NodeProcess node : List.of(one, two)) {
        JsonObject result = search(node, new JsonObject().put("query", ClusterCorpus.QUERIES.get(i % 5)).put("k", 5));
        assertThat(result.getJsonObject("shards").getInteger("failed")).as(result.encode()).isZero();
        assertThat(result.containsKey("partial")).isFalse();
      }
    }
    // after cluster.rebalanceDelayMs the lost copies are rebuilt on the survivors: two copies of every shard again
    awaitView(one, 2, "green");
  }

  @Test
  @Order(2)
  @DisplayName("a node that missed an ingest, a delete and a runtime model load while down serves the first two correctly and has the model once it rejoined")
  void missedChangesWhileDown() throws Exception {
    // node-3 is gone (its copies were rebuilt elsewhere); with it back, ownership returns to it
    long kbId = ClusterIT.kb(LocalCluster.json(cluster.get(one, "/v1/cluster")), KB).getLong("id");
    int shard = io.ganglion.retrieval.shard.ShardOwnership.ownedBy("node-3", List.of("node-1", "node-2", "node-3"), kbId,
      SHARDS, 2).iterator().next();
    String added = idInShard("missed-", shard);
    String deleted = initialDocInShard(shard);
    assertThat(cluster.postJson(one, "/v1/kbs/" + KB + "/documents", new JsonObject().put("documents", new JsonArray()
      .add(new JsonObject().put("id", added).put("text", "The obsidian lighthouse keeper logs every passing ship."))))
      .statusCode()).isEqualTo(200);
    assertThat(cluster.delete(two, "/v1/kbs/" + KB + "/documents/" + deleted).statusCode()).isEqualTo(204);
    HttpResponse<String> load = cluster.postJson(one, "/v1/admin/models", new JsonObject()
      .put("name", "bge-small-en-v1.5").put("version", LATE_MODEL_VERSION));
    assertThat(load.statusCode()).as(load.body()).isEqualTo(201);
    assertThat(LocalCluster.json(load).getJsonObject("nodes").getMap()).containsOnlyKeys("node-1", "node-2");

    three.relaunch();
    three.awaitListening(Duration.ofMinutes(3));
    // loaded while it started, before its inference verticle (and so /ready) was up
    assertThat(models(three)).as("node-3's own models once it listens").contains(LATE_MODEL);
    awaitView(three, 3, "green");
    awaitView(one, 3, "green");

    assertThat(ids(search(three, new JsonObject().put("query", "obsidian lighthouse keeper").put("mode", "keyword"))))
      .contains(added);
    assertThat(documentStatus(three, deleted)).isEqualTo(404);
    assertThat(ids(search(three, new JsonObject().put("query", text(deleted)).put("mode", "keyword").put("k", 50))))
      .doesNotContain(deleted);
    assertThat(metric(three, "ganglion_retrieval_replica_replayed_total").orElse(0.0))
      .as("node-3 caught up from the change log").isGreaterThanOrEqualTo(2.0);
    assertThat(metric(three, "ganglion_retrieval_replica_loads_total{source=\"snapshot\"").orElse(0.0))
      .as("node-3 loaded its snapshots").isGreaterThanOrEqualTo(1.0);

    HttpResponse<String> unload = cluster.delete(three, "/v1/admin/models/" + LATE_MODEL);
    assertThat(unload.statusCode()).as(unload.body()).isEqualTo(200);
    assertThat(LocalCluster.json(unload).getJsonObject("nodes").getMap())
      .containsOnlyKeys("node-1", "node-2", "node-3").allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo("unloaded"));
  }

  /** The {@code name@version}s node lists as its own loaded models. */
  static List<String> models(NodeProcess node) {
    return LocalCluster.json(cluster.get(node, "/v1/admin/models")).getJsonArray("models").stream()
      .map(m -> ((JsonObject) m).getString("ref")).toList();
  }

  @Test
  @Order(3)
  @DisplayName("an ingestion job accepted (202) by a node killed at once is resumed by another node: no document lost")
  void jobSurvivesItsNode() throws Exception {
    JsonArray docs = new JsonArray();
    for (int i = 0; i < 24; i++) {
      docs.add(new JsonObject().put("id", "job-doc-" + i).put("text", "Durable job document number " + i
        + " mentions the amber quorum marker."));
    }
    HttpResponse<String> accepted = cluster.postJson(two, "/v1/kbs/" + KB + "/documents", new JsonObject().put("documents", docs));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String job = LocalCluster.json(accepted).getJsonObject("job").getString("id");
    two.kill();

    Await.until(Duration.ofSeconds(90), "the job finished on another node", () -> {
      JsonObject status = LocalCluster.json(cluster.get(one, "/v1/jobs/" + job));
      return "done".equals(status.getString("status"));
    });
    JsonObject finished = LocalCluster.json(cluster.get(three, "/v1/jobs/" + job));
    assertThat(finished.getInteger("done")).isEqualTo(24);
    assertThat(finished.getInteger("failed")).isZero();
    Await.until(Duration.ofSeconds(15), "node-1 sees node-2 gone", () -> members(one) == 2);
    JsonObject found = search(three, new JsonObject().put("query", "amber quorum marker").put("mode", "keyword").put("k", 30));
    assertThat(ids(found)).hasSize(24);

    two.relaunch();
    two.awaitListening(Duration.ofMinutes(3));
    assertThat(models(two)).as("the model unloaded everywhere before node-2 rejoined is not loaded again")
      .doesNotContain(LATE_MODEL);
    awaitView(one, 3, "green");
  }

  @Test
  @Order(4)
  @DisplayName("a cleanly stopped node hands its shards over first: no search through the others fails meanwhile")
  void cleanStop() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicInteger completed = new AtomicInteger();
    List<Thread> searchers = new ArrayList<>();
    for (NodeProcess node : List.of(one, three)) {
      Thread t = new Thread(() -> {
        int i = 0;
        while (running.get()) {
          HttpResponse<String> r = cluster.postJson(node, "/v1/kbs/" + KB + "/search",
            new JsonObject().put("query", ClusterCorpus.QUERIES.get(i++ % 5)).put("k", 5));
          JsonObject body = r.statusCode() == 200 ? LocalCluster.json(r) : null;
          if (body == null || body.containsKey("partial")) {
            failures.add(node.nodeId + ": " + r.statusCode() + " " + r.body());
          }
          completed.incrementAndGet();
        }
      }, "searcher-" + node.nodeId);
      t.start();
      searchers.add(t);
    }
    Await.until(Duration.ofSeconds(30), "searches running", () -> completed.get() >= 10);
    int exit = two.stop(Duration.ofSeconds(90));
    Await.until(Duration.ofSeconds(15), "node-1 sees node-2 gone", () -> members(one) == 2);
    int before = completed.get();
    Await.until(Duration.ofSeconds(30), "searches after the stop", () -> completed.get() >= before + 10);
    running.set(false);
    for (Thread t : searchers) {
      t.join(30_000);
    }
    assertThat(exit).isIn(0, 143);
    assertThat(failures).as("searches that failed while node-2 left").isEmpty();
    assertThat(two.log()).contains("leaving the cluster: handing shards over");
    awaitView(one, 2, "green");
  }

  // --- helpers

  static void awaitView(NodeProcess node, int members, String status) {
    Await.until(Duration.ofSeconds(90), node.nodeId + " sees " + members + " members, " + status, () -> {
      JsonObject report = LocalCluster.json(cluster.get(node, "/v1/cluster"));
      return report.getJsonArray("members").size() == members && status.equals(report.getString("status"));
    });
  }

  static int members(NodeProcess node) {
    return LocalCluster.json(cluster.get(node, "/v1/cluster")).getJsonArray("members").size();
  }

  static JsonObject search(NodeProcess node, JsonObject query) {
    HttpResponse<String> r = cluster.postJson(node, "/v1/kbs/" + KB + "/search", query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return LocalCluster.json(r);
  }

  static int documentStatus(NodeProcess node, String id) {
    return cluster.get(node, "/v1/kbs/" + KB + "/documents/" + id).statusCode();
  }

  static List<String> ids(JsonObject result) {
    return result.getJsonArray("hits").stream().map(h -> ((JsonObject) h).getString("documentId")).distinct().toList();
  }

  static JsonArray shards(JsonObject report) {
    return ClusterIT.kb(report, KB).getJsonArray("shards");
  }

  static String idInShard(String prefix, int shard) {
    for (int i = 0; ; i++) {
      if (ShardRouter.shardOf(prefix + i, SHARDS) == shard) {
        return prefix + i;
      }
    }
  }

  static String initialDocInShard(int shard) {
    JsonArray docs = ClusterCorpus.documents(40, 11);
    for (Object o : docs) {
      String id = ((JsonObject) o).getString("id");
      if (ShardRouter.shardOf(id, SHARDS) == shard) {
        return id;
      }
    }
    throw new AssertionError("no document of the corpus in shard " + shard);
  }

  static String text(String id) {
    for (Object o : ClusterCorpus.documents(40, 11)) {
      if (((JsonObject) o).getString("id").equals(id)) {
        return ((JsonObject) o).getString("text");
      }
    }
    throw new AssertionError(id);
  }

  /** The complete snapshots of shard copies in a node's data directory ({@code indexes/<kb>/shard-<n>/replica.json}). */
  static long snapshots(NodeProcess node) {
    java.io.File[] kbs = node.dataDir.resolve("indexes").toFile().listFiles(java.io.File::isDirectory);
    long count = 0;
    for (java.io.File kb : kbs == null ? new java.io.File[0] : kbs) {
      java.io.File[] copies = kb.listFiles(f -> f.getName().matches("shard-\\d+"));
      for (java.io.File copy : copies == null ? new java.io.File[0] : copies) {
        count += new java.io.File(copy, "replica.json").isFile() ? 1 : 0;
      }
    }
    return count;
  }

  /** The sum of a Prometheus metric's samples whose line starts with {@code prefix}, if any. */
  static java.util.Optional<Double> metric(NodeProcess node, String prefix) {
    HttpResponse<String> r = cluster.get(node, "/metrics");
    double sum = 0;
    boolean found = false;
    for (String line : r.body().lines().toList()) {
      if (line.startsWith(prefix)) {
        found = true;
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return found ? java.util.Optional.of(sum) : java.util.Optional.empty();
  }
}
