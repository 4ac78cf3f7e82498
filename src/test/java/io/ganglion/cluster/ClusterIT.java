package io.ganglion.cluster;

import io.ganglion.app.Ganglion;
import io.ganglion.app.cli.CliProcess;
import io.ganglion.config.ConfigLoader;
import io.ganglion.config.GanglionConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@DisplayName("A three-node cluster on one machine: real JVMs, Hazelcast, Debian PostgreSQL and Redis")
class ClusterIT {

  static final String KB = "handbook";
  static final int SMALL_DISK_MB = 96;
  static final int MIN_FREE_MB = 32;
  static LocalCluster cluster;
  static NodeProcess one;
  static NodeProcess two;
  static NodeProcess three;

  @BeforeAll
  static void start() throws Exception {
    // node 3's data directory is a file system of its own, small enough for a test to fill (capacityOfEveryHolder)
    cluster = LocalCluster.start(3, Map.of("bridge.enabled", "true", "bridge.host", "127.0.0.1", "bridge.port", "0",
      "bridge.maxConnectionsPerKey", "2", "bridge.maxFrameBytes", "65536",
      "retrieval.capacity.minFreeDiskMb", String.valueOf(MIN_FREE_MB)), Map.of(3, SMALL_DISK_MB));
    one = cluster.node(1);
    two = cluster.node(2);
    three = cluster.node(3);
    awaitMembers(3);
    assertThat(cluster.postJson(one, "/v1/kbs", new JsonObject().put("name", KB)).statusCode()).isEqualTo(201);
    HttpResponse<String> ingested = cluster.postJson(one, "/v1/kbs/" + KB + "/documents",
      new JsonObject().put("documents", ClusterCorpus.documents(20, 7)));
    assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
    awaitGreen(one);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static void awaitMembers(int n) {
    for (NodeProcess node : List.of(one, two, three)) {
      Await.until(Duration.ofSeconds(60), node.nodeId + " sees " + n + " members",
        () -> LocalCluster.json(cluster.get(node, "/v1/cluster")).getJsonArray("members").size() == n);
    }
  }

  static void awaitGreen(NodeProcess node) {
    Await.until(Duration.ofSeconds(60), "cluster green on " + node.nodeId,
      () -> "green".equals(LocalCluster.json(cluster.get(node, "/v1/cluster")).getString("status")));
  }

  static JsonObject search(NodeProcess node, String kb, JsonObject query) {
    HttpResponse<String> response = cluster.postJson(node, "/v1/kbs/" + kb + "/search", query);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return LocalCluster.json(response);
  }

  @Test
  @DisplayName("every node lists the three members by cluster.nodeId with their HTTP ports, and /ready says green")
  void members() {
    for (NodeProcess node : List.of(one, two, three)) {
      JsonObject report = LocalCluster.json(cluster.get(node, "/v1/cluster"));
      assertThat(report.getString("self")).isEqualTo(node.nodeId);
      assertThat(report.getBoolean("quorum")).isTrue();
      Map<String, Integer> ports = new HashMap<>();
      report.getJsonArray("members").forEach(m -> ports.put(((JsonObject) m).getString("id"),
        ((JsonObject) m).getInteger("httpPort")));
      assertThat(ports).containsEntry("node-1", one.httpPort).containsEntry("node-2", two.httpPort)
        .containsEntry("node-3", three.httpPort);
      JsonObject ready = LocalCluster.json(cluster.get(node, "/ready"));
      assertThat(ready.getJsonObject("cluster").getString("status")).isEqualTo("green");
      assertThat(ready.getJsonObject("cluster").getInteger("members")).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("ganglion cluster status, pointed at any node, prints the three members and every shard's copies active")
  void cliStatus() throws Exception {
    awaitGreen(three);
    CliProcess.Run run = CliProcess.run(List.of("cluster", "status", "--url", "http://127.0.0.1:" + three.httpPort,
      "--key", cluster.adminKey), Map.of());

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("cluster green: 3 members, quorum yes, seen from node-3")
      .contains("node-1").contains("node-2").contains(KB).contains("8/8");
  }

  @Test
  @DisplayName("the console's cluster view, opened on node 2, shows green, quorum, the three members with node 2 as this node, and every shard's copies active")
  void consoleView() throws Exception {
    awaitGreen(two);
    org.openqa.selenium.chrome.ChromeDriver driver = io.ganglion.console.ConsoleBrowser.open();
    try {
      driver.get("http://127.0.0.1:" + two.httpPort + "/console/#key=" + cluster.adminKey);
      io.ganglion.console.ConsoleBrowser.waiting(driver).until(org.openqa.selenium.support.ui.ExpectedConditions
        .visibilityOfElementLocated(org.openqa.selenium.By.id("kb-name")));
      driver.get("http://127.0.0.1:" + two.httpPort + "/console/#/cluster");
      io.ganglion.console.ConsoleBrowser.waiting(driver).until(org.openqa.selenium.support.ui.ExpectedConditions
        .textToBe(org.openqa.selenium.By.id("cluster-status"), "green"));
      assertThat(driver.findElement(org.openqa.selenium.By.id("cluster-summary")).getText())
        .contains("3 members").contains("quorum yes").doesNotContain("not clustered");
      String members = driver.findElement(org.openqa.selenium.By.id("members")).getText();
      assertThat(members).contains("node-1").contains("node-2 (this node)").contains("node-3")
        .contains(String.valueOf(three.httpPort));
      assertThat(driver.findElement(org.openqa.selenium.By.id("shards")).getText()).contains(KB).contains("8/8")
        .contains("shard 0: 2/2 active");
      assertThat(io.ganglion.console.ConsoleBrowser.seriousViolations(driver)).isEmpty();
      io.ganglion.console.ConsoleBrowser.screenshot(driver, "cluster-three-nodes");
      assertThat(io.ganglion.console.ConsoleBrowser.jsErrors(driver)).isEmpty();
    } finally {
      driver.quit();
    }
  }

  @Test
  @DisplayName("each shard has two distinct owners, both active, and the three nodes hold 3, 3 and 2 of the 4 shards")
  void ownership() {
    JsonObject report = LocalCluster.json(cluster.get(two, "/v1/cluster"));
    JsonObject kb = kb(report, KB);
    JsonArray shards = kb.getJsonArray("shards");
    assertThat(shards).hasSize(4);
    Map<String, Integer> load = new HashMap<>();
    for (Object o : shards) {
      JsonObject shard = (JsonObject) o;
      List<String> owners = strings(shard.getJsonArray("owners"));
      assertThat(owners).hasSize(2).doesNotHaveDuplicates();
      assertThat(new TreeSet<>(strings(shard.getJsonArray("active")))).isEqualTo(new TreeSet<>(owners));
      owners.forEach(owner -> load.merge(owner, 1, Integer::sum));
    }
    assertThat(load.values()).containsExactlyInAnyOrder(3, 3, 2);
    // every node computes the same owners
    assertThat(kb(LocalCluster.json(cluster.get(three, "/v1/cluster")), KB).getJsonArray("shards")
      .stream().map(s -> ((JsonObject) s).getJsonArray("owners")).toList())
      .isEqualTo(shards.stream().map(s -> ((JsonObject) s).getJsonArray("owners")).toList());
  }

  @Test
  @DisplayName("keyword, vector and hybrid search return the same ids and scores through every node as a single node holding the same corpus")
  void sameRankingEverywhere() throws Exception {
    List<JsonObject> queries = new ArrayList<>();
    for (String mode : List.of("keyword", "vector", "hybrid")) {
      for (String q : ClusterCorpus.QUERIES) {
        queries.add(new JsonObject().put("query", q).put("mode", mode).put("k", 8));
      }
    }
    queries.add(new JsonObject().put("query", "replica shard failover").put("mode", "hybrid").put("fusion", "rrf"));
    queries.add(new JsonObject().put("query", "latency budget").put("filter", new JsonObject().put("team", "search")));

    try (ReferenceNode reference = ReferenceNode.start(cluster)) {
      for (JsonObject query : queries) {
        JsonObject expected = reference.search(KB, query);
        assertThat(expected.getJsonArray("hits")).as("reference hits for " + query).isNotEmpty();
        for (NodeProcess node : List.of(one, two, three)) {
          JsonObject actual = search(node, KB, query);
          assertThat(actual.getJsonObject("shards")).isEqualTo(new JsonObject().put("total", 4).put("successful", 4)
            .put("failed", 0));
          assertThat(actual.containsKey("partial")).isFalse();
          assertSameHits(query + " via " + node.nodeId, actual.getJsonArray("hits"), expected.getJsonArray("hits"));
        }
      }
    }
  }

  @Test
  @DisplayName("a document ingested through one node is found at once through the others, and a deleted one is gone at once")
  void ingestThenSearchElsewhere() {
    JsonObject doc = new JsonObject().put("id", "fresh-zebra").put("title", "Zebra crossings")
      .put("text", "The quixotic zebra crossing protocol governs pedestrian quorum at every junction.");
    HttpResponse<String> ingested = cluster.postJson(one, "/v1/kbs/" + KB + "/documents",
      new JsonObject().put("documents", new JsonArray().add(doc)));
    assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
    for (NodeProcess node : List.of(two, three, one)) {
      assertThat(ids(search(node, KB, new JsonObject().put("query", "quixotic zebra").put("mode", "keyword"))))
        .as(node.nodeId).contains("fresh-zebra");
    }
    assertThat(cluster.delete(two, "/v1/kbs/" + KB + "/documents/fresh-zebra").statusCode()).isEqualTo(204);
    for (NodeProcess node : List.of(three, one, two)) {
      assertThat(ids(search(node, KB, new JsonObject().put("query", "quixotic zebra").put("mode", "keyword"))))
        .as(node.nodeId).doesNotContain("fresh-zebra");
    }
  }

  @Test
  @DisplayName("a knowledge base created through one node is searchable through another at once")
  void createThenSearchElsewhere() {
    assertThat(cluster.postJson(two, "/v1/kbs", new JsonObject().put("name", "fresh")).statusCode()).isEqualTo(201);
    JsonObject empty = search(three, "fresh", new JsonObject().put("query", "anything at all").put("mode", "keyword"));
    assertThat(empty.getJsonArray("hits")).isEmpty();
    assertThat(empty.getJsonObject("shards").getInteger("successful")).isEqualTo(4);
    assertThat(cluster.delete(one, "/v1/kbs/fresh").statusCode()).isEqualTo(204);
    assertThat(cluster.postJson(three, "/v1/kbs/fresh/search", new JsonObject().put("query", "x")).statusCode())
      .isEqualTo(404);
  }

  @Test
  @DisplayName("an answer cached on one node is not served there once another node ingested into its knowledge base")
  void crossNodeInvalidation() {
    JsonObject question = new JsonObject().put("question", "What does the zebra quorum protocol require?");
    assertThat(cacheHeader(ask(two, question))).isEqualTo("miss");
    assertThat(cacheHeader(ask(two, question))).isEqualTo("hit");
    assertThat(cacheHeader(ask(three, question))).isEqualTo("hit"); // Redis: shared by every node

    JsonObject doc = new JsonObject().put("id", "zebra-quorum").put("title", "Zebra quorum")
      .put("text", "The zebra quorum protocol requires three striped witnesses before any crossing.");
    assertThat(cluster.postJson(one, "/v1/kbs/" + KB + "/documents", new JsonObject().put("documents",
      new JsonArray().add(doc))).statusCode()).isEqualTo(200);

    HttpResponse<String> after = ask(two, question);
    assertThat(cacheHeader(after)).isEqualTo("miss");
    assertThat(after.body()).contains("zebra-quorum");
    assertThat(cacheHeader(ask(three, question))).isEqualTo("hit"); // the new answer, cached by node-2
  }

  @Test
  @DisplayName("a key revoked through one node is refused by every node at once, long before its 30 s key cache expires")
  void revocationEverywhere() {
    HttpResponse<String> created = cluster.postJson(one, "/v1/admin/keys", new JsonObject().put("tenant", "revokee")
      .put("scopes", new JsonArray().add("kb:read")).put("name", "short-lived"));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject key = LocalCluster.json(created);
    for (NodeProcess node : List.of(one, two, three)) {
      assertThat(asKey(node, key.getString("key")).statusCode()).isEqualTo(200); // now cached as valid on each node
    }
    assertThat(cluster.delete(one, "/v1/admin/keys/" + key.getString("id")).statusCode()).isEqualTo(204);
    // the event reaches every node in well under a second on a quiet machine; the bound leaves room for CPU load
    // while staying far inside http.keyCacheSeconds (30), so only the cluster-wide revocation can pass it
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    for (NodeProcess node : List.of(two, three, one)) {
      Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
      Await.until(left, node.nodeId + " refuses the revoked key", () -> asKey(node, key.getString("key")).statusCode() == 401);
    }
  }

  @Test
  @DisplayName("the bridge answers an authorized search, and refuses a frame without a credential, an internal or published address, another tenant's knowledge base and a spoofed tenant")
  void bridgeGate() throws Exception {
    String otherKey = key("bridge-other", "kb:read");
    try (BridgeClient client = new BridgeClient("127.0.0.1", bridgePort(two))) {
      JsonObject search = new JsonObject().put("kb", KB).put("query", "replica shard failover").put("k", 3);
      JsonObject ok = client.request(cluster.adminKey, "ganglion.retrieval.search", search);
      assertThat(ok.getString("type")).as(ok.encode()).isEqualTo("message");
      assertThat(ok.getJsonObject("body").getJsonArray("hits")).hasSize(3);

      JsonObject anonymous = client.request(null, "ganglion.retrieval.search", search);
      assertThat(anonymous.getString("type")).isEqualTo("err");
      assertThat(anonymous.getInteger("failureCode")).isEqualTo(4010);

      JsonObject internal = client.request(cluster.adminKey, "ganglion.retrieval.status", new JsonObject());
      assertThat(internal.getInteger("failureCode")).as(internal.encode()).isEqualTo(4030);
      JsonObject shardStep = client.request(cluster.adminKey, "ganglion.retrieval.shards.x.rank", new JsonObject());
      assertThat(shardStep.getInteger("failureCode")).isEqualTo(4030);
      client.write(new JsonObject().put("type", "publish").put("address", "ganglion.retrieval.kb.changed")
        .put("headers", new JsonObject().put("authorization", "Bearer " + cluster.adminKey)).put("body", new JsonObject()));
      JsonObject published = client.read();
      assertThat(published.getString("type")).isEqualTo("err");
      assertThat(published.getInteger("failureCode")).isEqualTo(4030);
    }
    try (BridgeClient other = new BridgeClient("127.0.0.1", bridgePort(three))) {
      // the body names the KB's tenant; the bridge takes the tenant from the credential, so it is not found
      JsonObject spoofed = other.request(otherKey, "ganglion.retrieval.search",
        new JsonObject().put("tenant", "default").put("kb", KB).put("query", "replica"));
      assertThat(spoofed.getString("type")).isEqualTo("err");
      assertThat(spoofed.getInteger("failureCode")).as(spoofed.encode()).isEqualTo(4040);
      JsonObject write = other.request(otherKey, "ganglion.retrieval.kb.create", new JsonObject().put("name", "nope"));
      assertThat(write.getInteger("failureCode")).as("kb:read cannot create").isEqualTo(4030);
    }
  }

  @Test
  @DisplayName("a bridge client may register only ask streams and its own tenant's jobs: a cluster-wide event and another tenant's job are refused")
  void bridgeRegistrations() throws Exception {
    assertThat(cluster.postJson(one, "/v1/kbs", new JsonObject().put("name", "bridge-jobs")).statusCode()).isEqualTo(201);
    JsonArray many = new JsonArray();
    for (int i = 0; i < 21; i++) {
      many.add(new JsonObject().put("id", "job-" + i).put("text", "Job document " + i + " is about topic " + i + "."));
    }
    HttpResponse<String> accepted = cluster.postJson(one, "/v1/kbs/bridge-jobs/documents",
      new JsonObject().put("documents", many));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String jobAddress = "ganglion.retrieval.job." + LocalCluster.json(accepted).getJsonObject("job").getString("id");
    String otherKey = key("bridge-registrant", "kb:read");
    try (BridgeClient other = new BridgeClient("127.0.0.1", bridgePort(two))) {
      other.write(new JsonObject().put("type", "register").put("address", jobAddress)
        .put("headers", new JsonObject().put("authorization", "Bearer " + otherKey)));
      JsonObject foreignJob = other.read();
      assertThat(foreignJob.getString("type")).as(foreignJob.encode()).isEqualTo("err");
      assertThat(foreignJob.getInteger("failureCode")).as("another tenant's job is not found").isEqualTo(4040);
      other.write(new JsonObject().put("type", "register").put("address", "ganglion.retrieval.kb.changed")
        .put("headers", new JsonObject().put("authorization", "Bearer " + otherKey)));
      JsonObject event = other.read();
      assertThat(event.getString("type")).as(event.encode()).isEqualTo("err");
      assertThat(event.getInteger("failureCode")).isEqualTo(4030);
    }
    // the job finishes before the next test, so its embedding does not compete with that test's bounds
    String jobId = jobAddress.substring("ganglion.retrieval.job.".length());
    Await.until(Duration.ofSeconds(120), "the bridge test's job done", () ->
      "done".equals(LocalCluster.json(cluster.get(one, "/v1/jobs/" + jobId)).getString("status")));
  }

  @Test
  @DisplayName("the bridge refuses an oversized frame from its length alone, and more connections per key than bridge.maxConnectionsPerKey")
  void bridgeLimits() throws Exception {
    try (BridgeClient client = new BridgeClient("127.0.0.1", bridgePort(one))) {
      client.announce(10_000_000);
      JsonObject err = client.read();
      assertThat(err.getInteger("failureCode")).isEqualTo(4130);
      assertThat(client.closedByServer()).isTrue();
    }
    String key = key("bridge-conns", "kb:read");
    try (BridgeClient a = new BridgeClient("127.0.0.1", bridgePort(one));
         BridgeClient b = new BridgeClient("127.0.0.1", bridgePort(one));
         BridgeClient c = new BridgeClient("127.0.0.1", bridgePort(one))) {
      JsonObject list = new JsonObject();
      assertThat(a.request(key, "ganglion.retrieval.kb.list", list).getString("type")).isEqualTo("message");
      assertThat(b.request(key, "ganglion.retrieval.kb.list", list).getString("type")).isEqualTo("message");
      JsonObject third = c.request(key, "ganglion.retrieval.kb.list", list);
      assertThat(third.getString("type")).isEqualTo("err");
      assertThat(third.getInteger("failureCode")).isEqualTo(4030);
    }
  }

  @Test
  @DisplayName("a bridge client streams an answer: it registers its ask-stream address and gets steps, tokens and the reply")
  void bridgeAskStream() throws Exception {
    try (BridgeClient client = new BridgeClient("127.0.0.1", bridgePort(three))) {
      String stream = "ganglion.orchestrator.stream." + java.util.UUID.randomUUID();
      client.write(new JsonObject().put("type", "register").put("address", stream)
        .put("headers", new JsonObject().put("authorization", "Bearer " + cluster.adminKey)));
      JsonObject bad = client.request(cluster.adminKey, "ganglion.reflex.ask", new JsonObject().put("kb", KB)
        .put("question", "How are ingestion jobs resumed?"), new JsonObject().put("x-ask-stream", "ganglion.retrieval.search"));
      assertThat(bad.getInteger("failureCode")).as("a stream header naming another address").isEqualTo(4000);

      String reply = "client.reply.ask";
      client.write(new JsonObject().put("type", "send").put("address", "ganglion.reflex.ask").put("replyAddress", reply)
        .put("headers", new JsonObject().put("authorization", "Bearer " + cluster.adminKey).put("x-ask-stream", stream))
        .put("body", new JsonObject().put("kb", KB).put("question", "How are ingestion jobs resumed after a crash?")
          .put("generator", "extractive")));
      List<String> events = new ArrayList<>();
      JsonObject answer = null;
      while (answer == null) {
        JsonObject frame = client.read();
        if (stream.equals(frame.getString("address"))) {
          events.add(frame.getJsonObject("body").getString("event"));
        } else if (reply.equals(frame.getString("address"))) {
          assertThat(frame.getString("type")).as(frame.encode()).isEqualTo("message");
          answer = frame.getJsonObject("body");
        }
      }
      assertThat(events).contains("step", "token");
      assertThat(answer.getString("answer")).isNotBlank();
    }
  }

  @Test
  @DisplayName("the Python bridge client of the README searches through the bridge")
  void pythonClient() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/python3").canExecute(), "python3 present");
    Process p = new ProcessBuilder("python3", "bench/bridge-client.py", "--host", "127.0.0.1", "--port",
      Integer.toString(bridgePort(one)), "--key", cluster.adminKey, "search", KB, "snapshot of the vector graph")
      .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(new JsonObject(out).getJsonArray("hits")).isNotEmpty();
  }

  @Test
  @DisplayName("a JVM service joins as a lite member, calls a public address, and owns no shard")
  void jvmClient() throws Exception {
    io.ganglion.config.ClusterConfig config = io.ganglion.config.ClusterConfig.from(new JsonObject()
      .put("enabled", true).put("name", clusterName()).put("host", "127.0.0.1")
      .put("members", "127.0.0.1:" + one.hazelcastPort).put("port", DebianStores.freePort())
      .put("eventBusPort", DebianStores.freePort()).put("nodeId", "jvm-client").put("heartbeatSeconds", 1)
      .put("failureTimeoutSeconds", 4));
    io.vertx.core.Vertx client = EventBusClientExample.join(config);
    try {
      JsonObject hits = EventBusClientExample.search(client, "default", KB, "rate limit tokens per minute")
        .await(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(hits.getJsonArray("hits")).isNotEmpty();
      JsonObject report = LocalCluster.json(cluster.get(one, "/v1/cluster"));
      assertThat(report.getJsonArray("members")).hasSize(3);
      assertThat(report.encode()).doesNotContain("jvm-client");
      assertThat(report.getString("status")).isEqualTo("green");
    } finally {
      client.close().await(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  // --- helpers

  static int bridgePort(NodeProcess node) throws java.io.IOException {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("event-bus bridge listening on [0-9.]+:(\\d+)")
      .matcher(node.log());
    int port = -1;
    while (m.find()) {
      port = Integer.parseInt(m.group(1));
    }
    assertThat(port).as("bridge port in " + node.nodeId + "'s log").isPositive();
    return port;
  }

  static String clusterName() throws java.io.IOException {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("--cluster.name=(\\S+)").matcher(one.log());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  static String key(String tenant, String... scopes) {
    HttpResponse<String> created = cluster.postJson(one, "/v1/admin/keys", new JsonObject().put("tenant", tenant)
      .put("scopes", new JsonArray(List.of(scopes))).put("name", tenant));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return LocalCluster.json(created).getString("key");
  }

  static HttpResponse<String> ask(NodeProcess node, JsonObject question) {
    HttpResponse<String> response = cluster.postJson(node, "/v1/kbs/" + KB + "/ask", question);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  static String cacheHeader(HttpResponse<String> response) {
    return response.headers().firstValue("X-Ganglion-Cache").orElse("(none)");
  }

  static HttpResponse<String> asKey(NodeProcess node, String key) {
    return cluster.send(HttpRequest.newBuilder(URI.create(node.base() + "/v1/kbs")).timeout(Duration.ofSeconds(10))
      .header("Authorization", "Bearer " + key).GET().build());
  }

  static void assertSameHits(String what, JsonArray actual, JsonArray expected) {
    assertThat(actual.stream().map(h -> ((JsonObject) h).getString("chunkId")).toList()).as(what)
      .isEqualTo(expected.stream().map(h -> ((JsonObject) h).getString("chunkId")).toList());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.getJsonObject(i).getDouble("score")).as(what + " #" + i)
        .isCloseTo(expected.getJsonObject(i).getDouble("score"), within(1e-4));
    }
  }

  @Test
  @DisplayName("a node short of disk has documents of the shards it holds refused through every node with 503 capacity naming it, other shards still take theirs, and a job waits for room instead of failing its documents")
  void capacityOfEveryHolder() throws Exception {
    String name = "capacity";
    assertThat(cluster.postJson(one, "/v1/kbs", new JsonObject().put("name", name)).statusCode()).isEqualTo(201);
    JsonArray layout = kb(LocalCluster.json(cluster.get(one, "/v1/cluster")), name).getJsonArray("shards");
    java.util.Set<Integer> onThree = new java.util.HashSet<>();
    for (Object o : layout) {
      JsonObject shard = (JsonObject) o;
      if (strings(shard.getJsonArray("owners")).contains(three.nodeId)) {
        onThree.add(shard.getInteger("shard"));
      }
    }
    String held = firstId("held", id -> onThree.contains(io.ganglion.retrieval.index.ShardRouter.shardOf(id, layout.size())));
    String elsewhere = firstId("elsewhere",
      id -> !onThree.contains(io.ganglion.retrieval.index.ShardRouter.shardOf(id, layout.size())));
    Path filler = three.dataDir.resolve("filler.bin");
    io.vertx.pgclient.PgConnectOptions pg = io.vertx.pgclient.PgConnectOptions.fromUri(cluster.stores.postgresUrl());
    try (java.sql.Connection lock = java.sql.DriverManager.getConnection(
      "jdbc:postgresql://" + pg.getHost() + ":" + pg.getPort() + "/" + pg.getDatabase(), pg.getUser(), pg.getPassword())) {
      // a job accepted while every node has room; its first store waits on this lock until node 3 is full
      lock.setAutoCommit(false);
      lock.createStatement().execute("lock table documents in exclusive mode");
      JsonArray docs = ClusterCorpus.documents(24, 11);
      HttpResponse<String> accepted = cluster.postJson(one, "/v1/kbs/" + name + "/documents",
        new JsonObject().put("documents", docs));
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      String job = LocalCluster.json(accepted).getJsonObject("job").getString("id");
      List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
      var stream = cluster.sendAsyncLines(cluster.authed(two, "/v1/jobs/" + job + "/events")
        .header("Accept", "text/event-stream").GET().build(), events);

      fill(filler, three.dataDir, MIN_FREE_MB / 2);
      Await.until(Duration.ofSeconds(30), "node-1 sees node-3 short of disk", () -> capacity(one, three.nodeId)
        .getBoolean("short"));
      assertThat(capacity(one, three.nodeId).getString("reason")).contains("retrieval.capacity.minFreeDiskMb");
      lock.rollback();

      // through a node that may not hold the shard itself: refused, naming the short node, nothing stored
      HttpResponse<String> refused = cluster.postJson(one, "/v1/kbs/" + name + "/documents",
        new JsonObject().put("documents", new JsonArray().add(document(held))));
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      JsonObject error = LocalCluster.json(refused).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("capacity");
      assertThat(error.getString("message")).contains(three.nodeId).contains("retrieval.capacity.minFreeDiskMb");
      assertThat(cluster.get(two, "/v1/kbs/" + name + "/documents/" + held).statusCode()).isEqualTo(404);
      HttpResponse<String> taken = cluster.postJson(two, "/v1/kbs/" + name + "/documents",
        new JsonObject().put("documents", new JsonArray().add(document(elsewhere))));
      assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);

      // the job waits (its progress says why), and fails none of its documents
      Await.until(Duration.ofSeconds(30), "the job publishes that it waits for room",
        () -> events.stream().anyMatch(line -> line.contains("\"waiting\"") && line.contains(three.nodeId)));
      JsonObject waiting = LocalCluster.json(cluster.get(one, "/v1/jobs/" + job));
      assertThat(waiting.getString("status")).isIn("queued", "running");
      assertThat(waiting.getInteger("failed")).isZero();
      assertThat(waiting.getInteger("done")).isLessThan(docs.size());

      Files.delete(filler);
      Await.until(Duration.ofSeconds(60), "the job is done once node 3 has room",
        () -> "done".equals(LocalCluster.json(cluster.get(one, "/v1/jobs/" + job)).getString("status")));
      JsonObject done = LocalCluster.json(cluster.get(one, "/v1/jobs/" + job));
      assertThat(done.getInteger("done")).isEqualTo(docs.size());
      assertThat(done.getInteger("failed")).isZero();
      Await.until(Duration.ofSeconds(30), "the progress stream ends with done",
        () -> events.stream().anyMatch(line -> line.startsWith("event: done")));
      stream.cancel(true);
      for (Object d : docs) {
        String id = ((JsonObject) d).getString("id");
        assertThat(cluster.get(three, "/v1/kbs/" + name + "/documents/" + id).statusCode()).as(id).isEqualTo(200);
      }
    } finally {
      Files.deleteIfExists(filler);
      Await.until(Duration.ofSeconds(30), "node-1 sees node-3 with room again",
        () -> !capacity(one, three.nodeId).getBoolean("short"));
      cluster.delete(one, "/v1/kbs/" + name);
    }
  }

  /** What {@code node} reports member {@code id} publishes about its capacity. */
  static JsonObject capacity(NodeProcess node, String id) {
    return LocalCluster.json(cluster.get(node, "/v1/cluster")).getJsonArray("members").stream()
      .map(JsonObject.class::cast).filter(m -> m.getString("id").equals(id)).findFirst().orElseThrow()
      .getJsonObject("capacity");
  }

  /** Writes {@code file} until the file system of {@code dir} has {@code leaveMb} MB free (really allocated). */
  static void fill(Path file, Path dir, int leaveMb) throws Exception {
    long left = Files.getFileStore(dir).getUsableSpace() - leaveMb * 1024L * 1024;
    java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(1 << 20);
    try (var out = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
      java.nio.file.StandardOpenOption.WRITE)) {
      while (left > 0) {
        block.clear().limit((int) Math.min(block.capacity(), left));
        left -= out.write(block);
      }
    }
  }

  static String firstId(String prefix, java.util.function.Predicate<String> accept) {
    for (int i = 0; ; i++) {
      if (accept.test(prefix + "-" + i)) {
        return prefix + "-" + i;
      }
    }
  }

  static JsonObject document(String id) {
    return new JsonObject().put("id", id).put("text", "Capacity planning keeps headroom on every node for " + id + ".");
  }

  static List<String> ids(JsonObject result) {
    return result.getJsonArray("hits").stream().map(h -> ((JsonObject) h).getString("documentId")).toList();
  }

  static JsonObject kb(JsonObject report, String name) {
    return report.getJsonArray("kbs").stream().map(JsonObject.class::cast)
      .filter(k -> k.getString("name").equals(name)).findFirst().orElseThrow();
  }

  static double interactiveItems(NodeProcess node, String model) {
    double total = 0;
    for (String line : cluster.get(node, "/metrics").body().split("\n")) {
      if (line.startsWith("ganglion_inference_items_total{") && line.contains("model=\"" + model + "\"")
        && line.contains("lane=\"interactive\"")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  @Test
  @DisplayName("a knowledge base's model change re-embeds it into shadow copies on their owners and switches every node, while searches through every node answer")
  void modelChange() {
    String v2 = "bge-small-en-v1.5@2";
    List<NodeProcess> nodes = List.of(one, two, three);
    // the cluster's nodes run the packaged jar, which holds bge only: a second version of it is a second model,
    // loaded through one node on all three
    HttpResponse<String> load = cluster.postJson(one, "/v1/admin/models",
      new JsonObject().put("name", "bge-small-en-v1.5").put("version", "2"));
    assertThat(load.statusCode()).as(load.body()).isEqualTo(201);
    assertThat(LocalCluster.json(load).getJsonObject("nodes").getMap()).as(load.body())
      .containsOnlyKeys(one.nodeId, two.nodeId, three.nodeId).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo("loaded"));
    assertThat(cluster.postJson(one, "/v1/kbs", new JsonObject().put("name", "remodel")).statusCode()).isEqualTo(201);
    HttpResponse<String> ingested = cluster.postJson(one, "/v1/kbs/remodel/documents",
      new JsonObject().put("documents", ClusterCorpus.documents(20, 21)));
    assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);

    HttpResponse<String> change = cluster.send(cluster.authed(two, "/v1/kbs/remodel")
      .header("Content-Type", "application/json")
      .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("model", v2).encode())).build());
    assertThat(change.statusCode()).as(change.body()).isEqualTo(202);
    String job = LocalCluster.json(change).getJsonObject("job").getString("id");

    List<String> failures = new ArrayList<>();
    int searches = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline
      && "running".equals(LocalCluster.json(cluster.get(three, "/v1/jobs/" + job)).getString("status"))) {
      for (NodeProcess node : nodes) {
        HttpResponse<String> r = cluster.postJson(node, "/v1/kbs/remodel/search",
          new JsonObject().put("query", ClusterCorpus.QUERIES.get(searches % ClusterCorpus.QUERIES.size())));
        searches++;
        if (r.statusCode() != 200) {
          failures.add(node.nodeId + ": " + r.statusCode() + " " + r.body());
        }
      }
    }
    JsonObject done = LocalCluster.json(cluster.get(three, "/v1/jobs/" + job));
    assertThat(done.getString("status")).as(done.encode()).isEqualTo("done");
    assertThat(failures).as("searches during the change (" + searches + ")").isEmpty();

    for (NodeProcess node : nodes) {
      JsonObject kb = LocalCluster.json(cluster.get(node, "/v1/kbs/remodel"));
      assertThat(kb.getJsonObject("embedding").getString("model")).as(node.nodeId).isEqualTo(v2);
      assertThat(kb.getInteger("documents")).isEqualTo(20);
      double before = interactiveItems(node, v2);
      JsonObject hits = search(node, "remodel", new JsonObject().put("query", "which node keeps a replica of a shard "
        + node.nodeId).put("mode", "vector"));
      assertThat(hits.getJsonObject("shards").getInteger("failed")).isZero();
      assertThat(hits.getJsonArray("hits")).isNotEmpty();
      assertThat(interactiveItems(node, v2) - before).as(node.nodeId + " embeds the query with the new model")
        .isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  @DisplayName("a model loaded through one node is loaded on every node, and unloaded through another from every node")
  void modelLoadedEverywhere() {
    JsonObject v3 = new JsonObject().put("name", "bge-small-en-v1.5").put("version", "3");
    HttpResponse<String> load = cluster.postJson(two, "/v1/admin/models", v3);
    assertThat(load.statusCode()).as(load.body()).isEqualTo(201);
    for (NodeProcess node : List.of(one, two, three)) {
      JsonArray models = LocalCluster.json(cluster.get(node, "/v1/admin/models")).getJsonArray("models");
      assertThat(models.stream().map(m -> ((JsonObject) m).getString("ref")))
        .as(node.nodeId + " lists its own models").contains("bge-small-en-v1.5@3");
    }
    HttpResponse<String> again = cluster.postJson(three, "/v1/admin/models", v3);
    assertThat(again.statusCode()).as("loaded on every node already: " + again.body()).isEqualTo(409);

    HttpResponse<String> unload = cluster.send(cluster.authed(three, "/v1/admin/models/bge-small-en-v1.5@3")
      .DELETE().build());
    assertThat(unload.statusCode()).as(unload.body()).isEqualTo(200);
    assertThat(LocalCluster.json(unload).getJsonObject("nodes").getMap())
      .containsOnlyKeys(one.nodeId, two.nodeId, three.nodeId).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo("unloaded"));
    for (NodeProcess node : List.of(one, two, three)) {
      JsonArray models = LocalCluster.json(cluster.get(node, "/v1/admin/models")).getJsonArray("models");
      assertThat(models.stream().map(m -> ((JsonObject) m).getString("ref"))).as(node.nodeId)
        .doesNotContain("bge-small-en-v1.5@3");
    }
    assertThat(cluster.send(cluster.authed(one, "/v1/admin/models/bge-small-en-v1.5@3").DELETE().build())
      .statusCode()).isEqualTo(404);
  }

  static List<String> strings(JsonArray array) {
    return array.stream().map(String::valueOf).toList();
  }

  /** The single-node server the cluster is compared with: cluster off, same PostgreSQL and Redis, in this JVM. */
  static final class ReferenceNode implements AutoCloseable {
    private final Ganglion ganglion;
    private final String adminKey;

    private ReferenceNode(Ganglion ganglion, String adminKey) {
      this.ganglion = ganglion;
      this.adminKey = adminKey;
    }

    static ReferenceNode start(LocalCluster cluster) throws Exception {
      Path data = Files.createTempDirectory(cluster.dir, "reference-");
      GanglionConfig config = GanglionConfig.from(ConfigLoader.load(List.of("--http.port=0", "--http.instances=1",
        "--dataDir=" + data, "--postgres.url=" + cluster.stores.postgresUrl(), "--redis.url=" + cluster.stores.redisUrl(),
        "--admin.key=" + cluster.adminKey, "--cluster.nodeId=reference", "--inference.threads=1",
        "--retrieval.workers=2"), Map.of()));
      return new ReferenceNode(Ganglion.start(config), cluster.adminKey);
    }

    JsonObject search(String kb, JsonObject query) {
      HttpResponse<String> response = cluster.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + ganglion.port() + "/v1/kbs/" + kb + "/search"))
        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + adminKey)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(query.encode())).build());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return new JsonObject(response.body());
    }

    @Override
    public void close() {
      ganglion.close();
    }
  }
}
