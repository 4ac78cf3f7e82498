package io.ganglion.retrieval.shard;

import io.ganglion.TestServer;
import io.ganglion.retrieval.index.SnapshotDirectory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A full disk, for real: the index snapshots ({@code dataDir/indexes}) and the uploads ({@code dataDir/uploads}) are
 * small tmpfs volumes of their own (PostgreSQL stays on the main disk), filled to ENOSPC while the server runs.
 * Ingestion answers 503 with a clear message (never 500), searches keep working, a snapshot that cannot be written
 * leaves no half-written copy and the previous one intact, the free-space metrics show the full volume, and once space
 * is freed snapshots and writes work again, without a restart.
 * <p>
 * Assumes the test runs as root with {@code mount(8)} (CI does); elsewhere it is skipped, saying so.
 */
@DisplayName("A full disk under the data directory")
class FullDiskIT {

  static final String KB = "disk";
  static Path dataDir;
  static final List<Path> mounts = new ArrayList<>();
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory(Path.of("target"), "full-disk-").toAbsolutePath();
    mount(dataDir.resolve("indexes"), "16m");
    mount(dataDir.resolve("uploads"), "4m");
    server = TestServer.start(dataDir, Map.of("retrieval.capacity.minFreeDiskMb", "2",
      "retrieval.snapshotIntervalMs", "500", "retrieval.shards", "1", "http.bodyLimitBytes", Integer.toString(8 << 20)));
    assertThat(server.postJson("/v1/kbs", new JsonObject().put("name", KB).encode()).statusCode()).isEqualTo(201);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    for (Path mount : mounts) {
      if (run("umount", mount.toString()) != 0) {
        run("umount", "-l", mount.toString()); // still busy: detach it now, freed once nothing holds it
      }
    }
  }

  @Test
  @DisplayName("writes fail with 503 and a clear message, searches work, no half-written snapshot stays, the metric shows it, and freeing space brings writes back")
  void fullDisk() throws Exception {
    assertThat(ingest("alpha", "The shuttle bus leaves the north gate at eight.").statusCode()).isEqualTo(200);
    assertThat(ingest("beta", "Visitors park in the east garage behind the lab.").statusCode()).isEqualTo(200);
    await("the first snapshot").atMost(Duration.ofSeconds(60)).until(() -> metric(snapshots("written")) >= 1);
    Path snapshot = snapshotDir();
    long versionBefore = SnapshotDirectory.read(snapshot, ReplicaSnapshots.MANIFEST, ReplicaSnapshots.FORMAT).getLong("version");

    List<Path> fillers = new ArrayList<>();
    for (Path mount : mounts) {
      fillers.add(fill(mount));
    }
    for (Path mount : mounts) {
      assertThat(metric("ganglion_disk_free_bytes{path=\"" + mount + "\"}")).as(mount + " full").isLessThan(1 << 20);
    }
    assertThat(metric("ganglion_retrieval_capacity_disk_free_bytes")).isLessThan(1 << 20);

    HttpResponse<String> refused = ingest("gamma", "The canteen serves lunch from noon.");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    JsonObject error = TestServer.json(refused).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("capacity");
    assertThat(error.getString("message")).contains("disk is nearly full", dataDir.toString(), "minFreeDiskMb");

    HttpResponse<String> upload = upload("notes.md", "# Notes\n\nThe VPN endpoint is vpn.example.org.\n".repeat(2000));
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(503);
    assertThat(TestServer.json(upload).getJsonObject("error").getString("message")).containsPattern("disk is (nearly )?full");
    assertThat(server.get("/v1/kbs/" + KB + "/documents/notes.md").statusCode()).isEqualTo(404);

    // a change while the disk is full: its snapshot cannot be written
    assertThat(server.delete("/v1/kbs/" + KB + "/documents/beta").statusCode()).isEqualTo(204);
    await("a snapshot attempt on the full disk").atMost(Duration.ofSeconds(60))
      .until(() -> metric(snapshots("failed")) >= 1);
    assertThat(leftovers()).as("no half-written snapshot").isEmpty();
    assertThat(SnapshotDirectory.read(snapshot, ReplicaSnapshots.MANIFEST, ReplicaSnapshots.FORMAT).getLong("version"))
      .as("the previous snapshot is intact").isEqualTo(versionBefore);
    JsonArray hits = search("shuttle bus visitors garage");
    assertThat(hits.stream().map(h -> ((JsonObject) h).getString("documentId"))).contains("alpha").doesNotContain("beta");

    for (Path filler : fillers) {
      Files.delete(filler);
    }
    double written = metric(snapshots("written"));
    await("the snapshot once space is freed").atMost(Duration.ofSeconds(60))
      .until(() -> metric(snapshots("written")) > written);
    assertThat(SnapshotDirectory.read(snapshot, ReplicaSnapshots.MANIFEST, ReplicaSnapshots.FORMAT).getLong("version"))
      .isGreaterThan(versionBefore);
    assertThat(leftovers()).isEmpty();
    // an upload larger than what is left (above the capacity limit): the upload itself meets ENOSPC
    Path uploads = dataDir.resolve("uploads");
    Path tight = fillLeaving(uploads, 2_500_000);
    HttpResponse<String> cut = upload("big.md", "The VPN endpoint is vpn.example.org and it rotates keys.\n".repeat(60_000));
    assertThat(cut.statusCode()).as(cut.body()).isEqualTo(503);
    assertThat(TestServer.json(cut).getJsonObject("error").getString("message")).contains("disk is full");
    assertThat(server.get("/v1/kbs/" + KB + "/documents/big.md").statusCode()).as("nothing half-read stored").isEqualTo(404);
    Files.delete(tight);

    HttpResponse<String> again = ingest("gamma", "The canteen serves lunch from noon.");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    HttpResponse<String> uploaded = upload("notes.md", "# Notes\n\nThe VPN endpoint is vpn.example.org.\n");
    assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
    assertThat(metric("ganglion_retrieval_capacity_disk_free_bytes")).isGreaterThan(2 << 20);
  }

  private static HttpResponse<String> ingest(String id, String text) {
    return server.postJson("/v1/kbs/" + KB + "/documents", new JsonObject().put("documents",
      new JsonArray().add(new JsonObject().put("id", id).put("text", text))).encode());
  }

  private static HttpResponse<String> upload(String name, String content) {
    String boundary = "ganglion-boundary";
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n"
      + "Content-Type: text/markdown\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    return server.send(server.authed("/v1/kbs/" + KB + "/documents")
      .header("Content-Type", "multipart/form-data; boundary=" + boundary)
      .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static JsonArray search(String query) {
    HttpResponse<String> r = server.postJson("/v1/kbs/" + KB + "/search",
      new JsonObject().put("query", query).put("k", 5).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServer.json(r).getJsonArray("hits");
  }

  private static String snapshots(String outcome) {
    return "ganglion_retrieval_snapshots_total{outcome=\"" + outcome + "\"}";
  }

  private static double metric(String series) {
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
    String[] labels = series.contains("{") ? series.substring(series.indexOf('{') + 1, series.length() - 1).split(",") : new String[0];
    for (String line : metrics.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no series " + series);
  }

  /** The knowledge base's one shard snapshot. */
  private static Path snapshotDir() throws IOException {
    try (Stream<Path> files = Files.walk(dataDir.resolve("indexes"))) {
      return files.filter(p -> p.getFileName().toString().equals(ReplicaSnapshots.MANIFEST)).findFirst()
        .orElseThrow().getParent();
    }
  }

  /** Partial snapshot copies ({@code *.new-*}) or copies moved aside ({@code *.old-*}) under the snapshots. */
  private static List<Path> leftovers() throws IOException {
    try (Stream<Path> files = Files.walk(dataDir.resolve("indexes"))) {
      return files.filter(p -> p.getFileName().toString().matches(".*\\.(new|old)-.*")).toList();
    }
  }

  /**
   * Writes a file into {@code volume} until the file system refuses with ENOSPC, in ever smaller blocks down to one
   * byte, so not one page is left.
   */
  private static Path fill(Path volume) throws IOException {
    Path filler = volume.resolve("filler");
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (int size : new int[]{64 * 1024, 4096, 1}) {
        byte[] block = new byte[size];
        try {
          while (true) {
            out.write(block);
          }
        } catch (IOException e) {
          assertThat(e.getMessage()).contains("No space left on device");
        }
      }
    }
    return filler;
  }

  /** Fills {@code volume} until {@code left} bytes are usable. */
  private static Path fillLeaving(Path volume, long left) throws IOException {
    Path filler = volume.resolve("tight");
    long size = Files.getFileStore(volume).getUsableSpace() - left;
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (long written = 0; written < size; written += block.length) {
        out.write(block, 0, (int) Math.min(block.length, size - written));
      }
    }
    return filler;
  }

  private static void mount(Path dir, String size) throws Exception {
    Files.createDirectories(dir);
    int code = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    Assumptions.assumeTrue(code == 0, "mounting a tmpfs needs root and mount(8) (exit " + code + "): skipped here");
    mounts.add(dir);
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
      .start();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }
}
