package io.ganglion.retrieval;

import io.ganglion.TestServer;
import io.ganglion.retrieval.ingest.Samples;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Knowledge bases: ingestion, search, documents and jobs over HTTP")
class RetrievalIT {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
  }

  static String newKb() {
    String kb = "kb-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"" + kb + "\"}").statusCode()).isEqualTo(201);
    return kb;
  }

  static JsonObject ingest(String kb, JsonArray docs) {
    HttpResponse<String> response = server.postJson("/v1/kbs/" + kb + "/documents", new JsonObject().put("documents", docs).encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return TestServer.json(response);
  }

  static JsonArray search(String kb, JsonObject body) {
    HttpResponse<String> response = server.postJson("/v1/kbs/" + kb + "/search", body.encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return TestServer.json(response).getJsonArray("hits");
  }

  static JsonObject doc(String id, String title, String text) {
    return new JsonObject().put("id", id).put("title", title).put("text", text);
  }

  @Test
  @DisplayName("every search mode finds the right document, and each hit's offsets slice the stored document to its text")
  void searchModesAndCitations() {
    String kb = newKb();
    ingest(kb, new JsonArray()
      .add(doc("vacation", "Vacation", "Employees receive 25 days of paid vacation per year. Unused days expire in March."))
      .add(doc("errors", "Error codes", "Error E-4012 means the upstream certificate expired. Renew it with the CLI."))
      .add(doc("pets", "Pets", "Dogs are welcome in the office on Fridays if they are friendly and vaccinated.")));
    assertThat(search(kb, new JsonObject().put("query", "E-4012").put("mode", "keyword")).getJsonObject(0).getString("documentId"))
      .isEqualTo("errors");
    assertThat(search(kb, new JsonObject().put("query", "how much holiday do staff get").put("mode", "vector"))
      .getJsonObject(0).getString("documentId")).isEqualTo("vacation");
    JsonArray hybrid = search(kb, new JsonObject().put("query", "can I bring my dog to work?"));
    JsonObject top = hybrid.getJsonObject(0);
    assertThat(top.getString("documentId")).isEqualTo("pets");
    assertThat(top.getJsonObject("scores").containsKey("keyword")).isTrue();
    JsonObject stored = TestServer.json(server.get("/v1/kbs/" + kb + "/documents/pets"));
    assertThat(stored.getString("text").substring(top.getInteger("start"), top.getInteger("end"))).isEqualTo(top.getString("text"));
    assertThat(stored.getJsonArray("chunks")).isNotEmpty();

    JsonObject info = TestServer.json(server.get("/v1/kbs/" + kb));
    assertThat(info.getInteger("documents")).isEqualTo(3);
    assertThat(info.getInteger("chunks")).isGreaterThanOrEqualTo(3);
    assertThat(info.getInteger("pending")).isZero();
  }

  @Test
  @DisplayName("the same id replaces a document, delete removes it from store and index, filters apply inside the search")
  void replaceDeleteFilter() {
    String kb = newKb();
    ingest(kb, new JsonArray()
      .add(doc("policy", "Policy", "The retention period for audit logs is 90 days.").put("metadata", new JsonObject().put("team", "security")))
      .add(doc("other", "Other", "The retention period for chat transcripts is 30 days.").put("metadata", new JsonObject().put("team", "support"))));
    ingest(kb, new JsonArray().add(doc("policy", "Policy", "The retention period for audit logs is 400 days.")
      .put("metadata", new JsonObject().put("team", "security"))));
    JsonArray hits = search(kb, new JsonObject().put("query", "audit log retention period").put("mode", "keyword"));
    assertThat(hits.stream().map(h -> ((JsonObject) h).getString("text"))).noneMatch(t -> t.contains("90 days"));
    assertThat(hits.getJsonObject(0).getString("text")).contains("400 days");

    JsonArray filtered = search(kb, new JsonObject().put("query", "retention period").put("filter", new JsonObject().put("team", "support")));
    assertThat(filtered).isNotEmpty();
    assertThat(filtered.stream().map(h -> ((JsonObject) h).getString("documentId"))).containsOnly("other");

    assertThat(server.delete("/v1/kbs/" + kb + "/documents/policy").statusCode()).isEqualTo(204);
    assertThat(server.get("/v1/kbs/" + kb + "/documents/policy").statusCode()).isEqualTo(404);
    assertThat(search(kb, new JsonObject().put("query", "audit logs").put("mode", "keyword")).stream()
      .map(h -> ((JsonObject) h).getString("documentId"))).doesNotContain("policy");
    assertThat(server.delete("/v1/kbs/" + kb + "/documents/policy").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("uploads of plain text, Markdown, HTML and PDF are parsed and searchable; a malformed PDF is 422 and harms nothing")
  void uploads() throws Exception {
    String kb = newKb();
    String base = "/v1/kbs/" + kb + "/documents?id=";
    assertThat(raw(base + "txt", "text/plain", "The shuttle bus leaves at 7:45 every morning.".getBytes()).statusCode()).isEqualTo(200);
    assertThat(raw(base + "md", "text/markdown", "# Parking\n\nVisitors park on level **minus two**.".getBytes()).statusCode()).isEqualTo(200);
    assertThat(raw(base + "html", "text/html", "<html><head><title>Canteen</title></head><body><h1>Canteen</h1><p>Lunch is served from noon.</p><script>x()</script></body></html>".getBytes()).statusCode()).isEqualTo(200);
    assertThat(raw(base + "pdf", "application/pdf", Samples.pdf("The fire drill happens every second Tuesday.")).statusCode()).isEqualTo(200);

    HttpResponse<String> broken = raw(base + "broken", "application/pdf", "%PDF-1.7 this is not really a pdf".getBytes());
    assertThat(broken.statusCode()).isEqualTo(422);
    assertThat(TestServer.json(broken).getJsonObject("error").getString("code")).isEqualTo("unprocessable");
    assertThat(raw(base + "x", "application/zip", new byte[]{1, 2}).statusCode()).isEqualTo(415);
    assertThat(raw("/v1/kbs/" + kb + "/documents", "text/plain", "no id".getBytes()).statusCode()).isEqualTo(400);

    for (String[] expect : new String[][]{{"shuttle bus", "txt"}, {"visitors park", "md"}, {"lunch served", "html"}, {"fire drill", "pdf"}}) {
      assertThat(search(kb, new JsonObject().put("query", expect[0]).put("mode", "keyword")).getJsonObject(0).getString("documentId"))
        .as(expect[1]).isEqualTo(expect[1]);
    }
    JsonObject html = TestServer.json(server.get("/v1/kbs/" + kb + "/documents/html"));
    assertThat(html.getString("title")).isEqualTo("Canteen");
    assertThat(html.getString("text")).doesNotContain("x()");
    assertThat(server.get("/v1/kbs/" + kb + "/documents/broken").statusCode()).isEqualTo(404);
    assertThat(TestServer.json(server.get("/v1/kbs/" + kb)).getInteger("documents")).isEqualTo(4);
  }

  @Test
  @DisplayName("a multipart upload ingests each file; a bad document in a batch fails alone")
  void multipartAndPartialFailure() {
    String kb = newKb();
    String boundary = "ganglion-boundary";
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/notes.md\"\r\n"
      + "Content-Type: text/markdown\r\n\r\n# Notes\n\nThe VPN endpoint is vpn.example.org.\r\n--" + boundary + "--\r\n";
    HttpResponse<String> uploaded = server.send(server.authed("/v1/kbs/" + kb + "/documents")
      .header("Content-Type", "multipart/form-data; boundary=" + boundary)
      .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
    assertThat(TestServer.json(uploaded).getJsonArray("documents").getJsonObject(0).getString("id")).isEqualTo("notes.md");

    JsonObject mixed = ingest(kb, new JsonArray().add(doc("good", null, "Printers are on the third floor."))
      .add(new JsonObject().put("id", "../../evil").put("text", "x")).add(new JsonObject().put("id", "empty").put("text", "")));
    List<String> statuses = mixed.getJsonArray("documents").stream().map(d -> ((JsonObject) d).getString("status")).toList();
    assertThat(statuses).containsExactlyInAnyOrder("indexed", "failed", "failed");
    assertThat(server.get("/v1/kbs/" + kb + "/documents/good").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a large batch runs as a job: 202, progress on /v1/jobs/{id}, and an SSE stream that ends with done")
  void jobs() throws Exception {
    String kb = newKb();
    JsonArray docs = new JsonArray();
    for (int i = 0; i < 30; i++) {
      docs.add(doc("d" + i, "Doc " + i, "Document number " + i + " talks about topic " + (i % 5) + " in some detail."));
    }
    HttpResponse<String> accepted = server.postJson("/v1/kbs/" + kb + "/documents", new JsonObject().put("documents", docs).encode());
    assertThat(accepted.statusCode()).isEqualTo(202);
    String job = TestServer.json(accepted).getJsonObject("job").getString("id");
    HttpResponse<String> events = server.send(server.authed("/v1/jobs/" + job + "/events").GET().build());
    assertThat(events.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
    assertThat(events.body()).contains("event: progress").contains("event: done");
    JsonObject state = TestServer.json(server.get("/v1/jobs/" + job));
    assertThat(state.getString("status")).isEqualTo("done");
    assertThat(state.getInteger("done")).isEqualTo(30);
    assertThat(TestServer.json(server.get("/v1/kbs/" + kb)).getInteger("documents")).isEqualTo(30);
    assertThat(server.get("/v1/jobs/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("searching or ingesting into a KB that does not exist is 404; bad search parameters are 400")
  void errors() {
    assertThat(server.postJson("/v1/kbs/nope/search", "{\"query\":\"x\"}").statusCode()).isEqualTo(404);
    assertThat(server.postJson("/v1/kbs/nope/documents", "{\"documents\":[{\"id\":\"a\",\"text\":\"b\"}]}").statusCode()).isEqualTo(404);
    String kb = newKb();
    assertThat(server.postJson("/v1/kbs/" + kb + "/search", "{\"query\":\"\"}").statusCode()).isEqualTo(400);
    assertThat(server.postJson("/v1/kbs/" + kb + "/search", "{\"query\":\"x\",\"mode\":\"psychic\"}").statusCode()).isEqualTo(400);
    assertThat(server.postJson("/v1/kbs/" + kb + "/search", "{\"query\":\"x\",\"k\":0}").statusCode()).isEqualTo(400);
    assertThat(server.postJson("/v1/kbs/" + kb + "/search", "{\"query\":\"x\",\"filter\":[1]}").statusCode()).isEqualTo(400);
    assertThat(server.postJson("/v1/kbs/" + kb + "/documents", "{\"documents\":[]}").statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("after a restart the index loads from its snapshot, or is rebuilt from PostgreSQL when the snapshot is gone")
  void restart() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "retrieval-restart-");
    try (TestServer first = TestServer.start(dataDir, Map.of())) {
      first.postJson("/v1/kbs", "{\"name\":\"durable\"}");
      assertThat(first.postJson("/v1/kbs/durable/documents", new JsonObject().put("documents", new JsonArray()
        .add(doc("a", "Alpha", "Quantum widgets need calibration every week.")).add(doc("b", "Beta", "Coffee machines are descaled monthly."))).encode())
        .statusCode()).isEqualTo(200);
    }
    assertThat(Files.exists(dataDir.resolve("indexes"))).isTrue();
    try (TestServer second = TestServer.start(dataDir, Map.of())) {
      JsonArray hits = TestServer.json(second.postJson("/v1/kbs/durable/search", "{\"query\":\"quantum widgets calibration\"}")).getJsonArray("hits");
      assertThat(hits.getJsonObject(0).getString("documentId")).isEqualTo("a");
    }
    // a copy's snapshot of an older format (2: one in-heap graph per shard) is not loaded: the copy is rebuilt from
    // PostgreSQL, and its next snapshot is written in the current format (5: vector segments, on-disk graphs linked)
    Path manifest;
    try (var paths = Files.walk(dataDir.resolve("indexes"))) {
      manifest = paths.filter(p -> p.getFileName().toString().equals("replica.json")).findFirst().orElseThrow();
    }
    JsonObject current = new JsonObject(Files.readString(manifest));
    assertThat(current.getInteger("format")).isEqualTo(5);
    Files.writeString(manifest, current.copy().put("format", 2).encode());
    try (TestServer older = TestServer.start(dataDir, Map.of())) {
      JsonArray hits = TestServer.json(older.postJson("/v1/kbs/durable/search", "{\"query\":\"quantum widgets calibration\",\"mode\":\"vector\"}")).getJsonArray("hits");
      assertThat(hits.getJsonObject(0).getString("documentId")).isEqualTo("a");
      assertThat(older.send(older.request("/metrics").GET().build()).body())
        .containsPattern("ganglion_retrieval_replica_loads_total\\{source=\"rebuild\"[^}]*} [1-9]");
    }
    assertThat(new JsonObject(Files.readString(manifest)).getInteger("format")).isEqualTo(5);
    // the copies' working files (on-disk segments) are their own, outside the snapshots, and go with them
    try (var left = Files.list(dataDir.resolve("index-work"))) {
      assertThat(left).as("working directories left after a clean stop").isEmpty();
    }
    try (var paths = Files.walk(dataDir.resolve("indexes"))) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    try (TestServer third = TestServer.start(dataDir, Map.of())) {
      JsonArray hits = TestServer.json(third.postJson("/v1/kbs/durable/search", "{\"query\":\"descaling coffee machines\"}")).getJsonArray("hits");
      assertThat(hits.getJsonObject(0).getString("documentId")).isEqualTo("b");
    }
  }

  @Test
  @DisplayName("/metrics and the status report each knowledge base's vectors in this node's copies: count, heap and disk bytes, copies by kind")
  void vectorMeters() {
    String kb = newKb();
    ingest(kb, new JsonArray().add(doc("m1", "Meters", "Gauges report the bytes each vector index holds.")));
    assertThat(search(kb, new JsonObject().put("query", "vector index bytes").put("mode", "vector"))).isNotEmpty();
    // meters are tagged with the knowledge base's numeric id
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    assertThat(metrics)
      .containsPattern("ganglion_retrieval_vector_count\\{kb=\"\\d+\"[^}]*} [1-9]")
      .containsPattern("ganglion_retrieval_vector_bytes\\{kb=\"\\d+\",memory=\"heap\"[^}]*} [1-9]")
      .containsPattern("ganglion_retrieval_vector_bytes\\{kb=\"\\d+\",memory=\"disk\"[^}]*} 0")
      .containsPattern("ganglion_retrieval_vector_bytes_per_vector\\{kb=\"\\d+\",memory=\"heap\"[^}]*} [1-9]")
      .containsPattern("ganglion_retrieval_shards\\{kb=\"\\d+\",kind=\"heap\"[^}]*} 4")
      .containsPattern("ganglion_retrieval_shards\\{kb=\"\\d+\",kind=\"disk\"[^}]*} 0");
    // the status lists the same per knowledge base: its four shard copies on this (only) node, in-heap graphs
    JsonObject status = server.ganglion().vertx().eventBus()
      .<JsonObject>request(io.ganglion.bus.Addresses.RETRIEVAL_STATUS, new JsonObject())
      .toCompletionStage().toCompletableFuture().join().body();
    JsonObject mine = status.getJsonArray("vectorIndexes").stream().map(JsonObject.class::cast)
      .filter(v -> v.getLong("vectors") > 0 && v.getJsonObject("shardKinds").size() == 4).findFirst().orElseThrow();
    assertThat(mine.getLong("heapBytes")).isPositive();
    assertThat(mine.getLong("diskBytes")).isZero();
    assertThat(mine.getJsonObject("shardKinds").getMap().values()).containsOnly("heap");
  }

  static HttpResponse<String> raw(String path, String contentType, byte[] body) {
    return server.send(server.authed(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
