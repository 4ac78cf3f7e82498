package io.ganglion.app;

import io.ganglion.TestServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Restarting on the same data directory")
class RestartIT {

  @Test
  @DisplayName("keeps the generated admin key (owner-only file, not regenerated) and the knowledge bases")
  void keepsGeneratedKeyAndKbs() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "restart-");
    String key;
    try (TestServer first = TestServer.start(dataDir, Map.of())) {
      key = first.adminKey();
      assertThat(first.ganglion().generatedAdminKey()).contains(key);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("admin-key")))).isEqualTo("rw-------");
      assertThat(first.postJson("/v1/kbs", "{\"name\":\"survivor\"}").statusCode()).isEqualTo(201);
    }
    try (TestServer second = TestServer.start(dataDir, Map.of())) {
      assertThat(second.ganglion().generatedAdminKey()).isEmpty();
      assertThat(second.adminKey()).isEqualTo(key);
      assertThat(second.get("/v1/kbs/survivor").statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("loads a model loaded at runtime again when it restarts, before it reports ready, and forgets it once unloaded")
  void keepsRuntimeLoadedModels() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "restart-models-");
    String ref = "bge-small-en-v1.5@2";
    try (TestServer first = TestServer.start(dataDir, Map.of())) {
      var load = first.postJson("/v1/admin/models", "{\"name\":\"bge-small-en-v1.5\",\"version\":\"2\"}");
      assertThat(load.statusCode()).as(load.body()).isEqualTo(201);
    }
    try (TestServer second = TestServer.start(dataDir, Map.of())) {
      // the inference verticle loads recorded models while it starts, so they are there as soon as the server is
      assertThat(models(second)).as("loaded from runtime_models on start").contains(ref);
      assertThat(second.awaitReady().get("/ready").statusCode()).isEqualTo(200);
      var vectors = second.postJson("/v1/embeddings", "{\"model\":\"" + ref + "\",\"input\":[\"after a restart\"]}");
      assertThat(vectors.statusCode()).as(vectors.body()).isEqualTo(200);
      var unload = second.delete("/v1/admin/models/" + ref);
      assertThat(unload.statusCode()).as(unload.body()).isEqualTo(200);
    }
    try (TestServer third = TestServer.start(dataDir, Map.of())) {
      assertThat(models(third)).as("the unload deleted its record").doesNotContain(ref).contains("bge-small-en-v1.5@1");
    }
  }

  private static java.util.List<String> models(TestServer server) {
    return TestServer.json(server.get("/v1/admin/models")).getJsonArray("models").stream()
      .map(m -> ((io.vertx.core.json.JsonObject) m).getString("ref")).toList();
  }

  @Test
  @DisplayName("uses a configured admin key, and replaces the old one when the configured key changes")
  void configuredAdminKey() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "restart-key-");
    String firstKey = "first-configured-admin-key-0001";
    String secondKey = "second-configured-admin-key-0002";
    try (TestServer server = TestServer.start(dataDir, Map.of("admin.key", firstKey))) {
      assertThat(server.ganglion().generatedAdminKey()).isEmpty();
      assertThat(Files.exists(dataDir.resolve("admin-key"))).isFalse();
      assertThat(server.get("/v1/kbs").statusCode()).isEqualTo(200);
    }
    try (TestServer server = TestServer.start(dataDir, Map.of("admin.key", secondKey))) {
      assertThat(server.get("/v1/kbs").statusCode()).isEqualTo(200);
      assertThat(server.send(server.request("/v1/kbs").header("Authorization", "Bearer " + firstKey).GET().build())
        .statusCode()).isEqualTo(401);
    }
  }
}
