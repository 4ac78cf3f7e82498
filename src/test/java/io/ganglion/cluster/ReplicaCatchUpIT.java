package io.ganglion.cluster;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's copies after it missed changes: two servers take turns on one PostgreSQL (Debian's), so one of them misses
 * what the other wrote, first within the change log's retention (it replays), then beyond it (it rebuilds).
 */
@DisplayName("Shard copies catch up from the change log, and rebuild when it no longer reaches back")
class ReplicaCatchUpIT {

  static final String KB = "gap";
  static DebianStores stores;
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "catch-up-");
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    stores = DebianStores.start(dir.resolve("stores"));
  }

  @AfterAll
  static void stop() {
    if (stores != null) {
      stores.close();
    }
  }

  static TestServer server(String name) throws Exception {
    return TestServer.start(dir.resolve(name), Map.of("postgres.url", stores.postgresUrl(),
      "redis.url", stores.redisUrl(), "admin.key", "catch-up-admin-key-0123456789", "cluster.nodeId", name,
      "retrieval.snapshotIntervalMs", "500", "retrieval.changeLogRetention", "10", "inference.threads", "1"));
  }

  static void ingest(TestServer server, String id, String text) {
    HttpResponse<String> r = server.postJson("/v1/kbs/" + KB + "/documents", new JsonObject()
      .put("documents", new JsonArray().add(new JsonObject().put("id", id).put("text", text))).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  static int hits(TestServer server, String query) {
    HttpResponse<String> r = server.postJson("/v1/kbs/" + KB + "/search",
      new JsonObject().put("query", query).put("mode", "keyword").put("k", 50).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServer.json(r).getJsonArray("hits").size();
  }

  static double metric(TestServer server, String name) {
    return server.get("/metrics").body().lines().filter(l -> l.startsWith(name))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  @DisplayName("a node back after others wrote replays what it missed from its snapshot's version; past the retention it rebuilds")
  void replayThenRebuild() throws Exception {
    try (TestServer a = server("a")) {
      assertThat(a.postJson("/v1/kbs", new JsonObject().put("name", KB).encode()).statusCode()).isEqualTo(201);
      ingest(a, "first", "The first heron lands on the quiet pond.");
    } // a's stop snapshots its four copies

    try (TestServer b = server("b")) {
      ingest(b, "second", "A second heron lands on the quiet pond.");
      ingest(b, "third", "A third heron lands on the quiet pond.");
    }
    try (TestServer a = server("a")) {
      assertThat(hits(a, "heron pond")).isEqualTo(3);
      assertThat(metric(a, "ganglion_retrieval_replica_loads_total{source=\"snapshot\"")).isEqualTo(4.0);
      assertThat(metric(a, "ganglion_retrieval_replica_replayed_total")).isGreaterThanOrEqualTo(2.0);
      assertThat(metric(a, "ganglion_retrieval_replica_log_gaps_total")).isZero();
    }

    try (TestServer b = server("b")) {
      for (int i = 0; i < 12; i++) {
        ingest(b, "flock-" + i, "Heron number " + i + " of the flock lands on the quiet pond.");
      }
    }
    try (TestServer a = server("a")) {
      // a's snapshots are 12 versions behind; the log keeps the last 10 (pruned as a starts): it rebuilds
      Await.until(Duration.ofSeconds(60), "copies active", () -> hits(a, "heron pond") == 15);
      assertThat(metric(a, "ganglion_retrieval_replica_log_gaps_total")).isGreaterThanOrEqualTo(1.0);
      assertThat(metric(a, "ganglion_retrieval_replica_loads_total{source=\"rebuild\"")).isGreaterThanOrEqualTo(1.0);
    }
  }
}
