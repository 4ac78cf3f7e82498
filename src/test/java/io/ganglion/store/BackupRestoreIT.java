package io.ganglion.store;

import io.ganglion.TestServer;
import io.ganglion.retrieval.index.Shard;
import io.ganglion.retrieval.index.SnapshotDirectory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Backup and restore")
class BackupRestoreIT {

  private static final String ADMIN_KEY = "backup-test-admin-key-0001";
  private static final List<JsonObject> QUERIES = List.of(
    new JsonObject().put("query", "glacier ice cores").put("mode", "keyword"),
    new JsonObject().put("query", "how do bees find flowers").put("mode", "vector"),
    new JsonObject().put("query", "tides and the moon"));

  @Test
  @DisplayName("embedded default: a cold copy of dataDir/postgres serves the same search answers on a fresh server, which rebuilds a damaged snapshot instead of loading it")
  void coldPhysicalBackup() throws Exception {
    Path original = Files.createTempDirectory(Path.of("target"), "backup-src-");
    List<JsonArray> before;
    try (TestServer server = TestServer.start(original, Map.of("admin.key", ADMIN_KEY))) {
      before = fill(server);
    } // stopped: the copy is cold

    Path restored = Files.createTempDirectory(Path.of("target"), "backup-dst-");
    copyTree(original.resolve("postgres"), restored.resolve("postgres"));
    // the derived indexes too, one file damaged: they must be rebuilt from PostgreSQL, never served half-right
    copyTree(original.resolve("indexes"), restored.resolve("indexes"));
    Path vectors = first(restored.resolve("indexes"), "vectors.bin");
    byte[] bytes = Files.readAllBytes(vectors);
    bytes[bytes.length - 5] ^= 0x01;
    Files.write(vectors, bytes);
    Files.deleteIfExists(restored.resolve("postgres/postmaster.pid"));

    try (TestServer server = TestServer.start(restored, Map.of("admin.key", ADMIN_KEY))) {
      assertThat(answers(server.awaitReady())).isEqualTo(before);
    }
    // the rebuilt shard copies were snapshotted whole at stop: every one is intact and holds chunks
    try (Stream<Path> manifests = Files.walk(restored.resolve("indexes"))) {
      List<Path> copies = manifests.filter(p -> p.getFileName().toString().equals("replica.json")).toList();
      assertThat(copies).isNotEmpty();
      long chunks = 0;
      for (Path manifest : copies) {
        SnapshotDirectory.read(manifest.getParent(), "replica.json", 5);
        try (Shard shard = Shard.load(manifest.getParent().resolve("data"))) {
          chunks += shard.stats().chunks();
        }
      }
      assertThat(chunks).isPositive();
    }
  }

  @Test
  @DisplayName("external PostgreSQL (Debian's 15): pg_dump and pg_restore into a new database serve the same search answers")
  void dumpAndRestore() throws Exception {
    try (DebianPostgres pg = DebianPostgres.start(Path.of("target").toAbsolutePath())) {
      List<JsonArray> before;
      try (TestServer server = TestServer.start(Files.createTempDirectory(Path.of("target"), "dump-src-"),
        Map.of("admin.key", ADMIN_KEY, "postgres.url", pg.url("postgres")))) {
        before = fill(server);
      }
      Path dump = Files.createTempFile(Path.of("target").toAbsolutePath(), "ganglion-", ".dump");
      pg.tool("pg_dump", "-Fc", "-d", "postgres", "-f", dump.toString());
      pg.tool("createdb", "restored");
      pg.tool("pg_restore", "--no-owner", "-d", "restored", dump.toString());

      try (TestServer server = TestServer.start(Files.createTempDirectory(Path.of("target"), "dump-dst-"),
        Map.of("admin.key", ADMIN_KEY, "postgres.url", pg.url("restored")))) {
        assertThat(answers(server.awaitReady())).isEqualTo(before);
      }
    }
  }

  private static List<JsonArray> fill(TestServer server) {
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"nature\"}").statusCode()).isEqualTo(201);
    JsonArray docs = new JsonArray()
      .add(doc("ice", "Glacier ice cores hold air bubbles that record the atmosphere of past millennia."))
      .add(doc("bees", "Honey bees find flowers by scent and colour, and dance to tell the hive where they are."))
      .add(doc("tides", "Tides rise and fall twice a day, pulled mostly by the moon and partly by the sun."))
      .add(doc("soil", "Healthy soil is alive with fungi and bacteria that recycle fallen leaves into nutrients."))
      .add(doc("owls", "Owls hunt at night, their soft feathers silencing each wingbeat."));
    HttpResponse<String> ingested = server.postJson("/v1/kbs/nature/documents", new JsonObject().put("documents", docs).encode());
    assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
    List<JsonArray> answers = answers(server);
    assertThat(answers).allSatisfy(hits -> assertThat(hits).isNotEmpty());
    return answers;
  }

  /** The hits of every query: document, chunk, offsets and score (rounded: a rebuild may sum floats in another order). */
  private static List<JsonArray> answers(TestServer server) {
    List<JsonArray> answers = new ArrayList<>();
    for (JsonObject query : QUERIES) {
      HttpResponse<String> r = server.postJson("/v1/kbs/nature/search", query.encode());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonArray hits = new JsonArray();
      for (Object o : TestServer.json(r).getJsonArray("hits")) {
        JsonObject h = (JsonObject) o;
        hits.add(new JsonObject().put("documentId", h.getString("documentId")).put("chunkId", h.getString("chunkId"))
          .put("start", h.getInteger("start")).put("end", h.getInteger("end"))
          .put("score", Math.round(h.getDouble("score") * 1e4) / 1e4));
      }
      answers.add(hits);
    }
    return answers;
  }

  private static JsonObject doc(String id, String text) {
    return new JsonObject().put("id", id).put("text", text);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
          // PostgreSQL refuses a data directory others can read (as cp -a keeps it)
          Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(p));
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static Path first(Path root, String name) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }
  }
}
