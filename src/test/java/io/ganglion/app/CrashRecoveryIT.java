package io.ganglion.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("A single node killed with SIGKILL during ingestion")
class CrashRecoveryIT {

  private static final Duration START = Duration.ofSeconds(150);
  private static final int JOB_DOCUMENTS = 40;
  private static final int JOB_BASE = 100_000;
  private String jobId;

  @Test
  @DisplayName("starts again on the same data directory without manual steps, with every acknowledged document and every document of an accepted job, and refuses a second server there")
  void killDuringIngestion() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "crash-");
    Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch enough = new CountDownLatch(12);
    AtomicInteger next = new AtomicInteger();

    ServerProcess first = ServerProcess.launch(dataDir, "first", List.of(), Map.of());
    Thread[] writers = new Thread[2];
    try {
      first.awaitListening(START);
      assertThat(first.send("POST", "/v1/kbs", "{\"name\":\"crash\"}").statusCode()).isEqualTo(201);
      for (int w = 0; w < writers.length; w++) {
        writers[w] = Thread.ofPlatform().name("writer-" + w).start(() -> {
          while (!stop.get()) {
            int n = next.getAndIncrement();
            try {
              HttpResponse<String> r = first.send("POST", "/v1/kbs/crash/documents", documents(n).encode());
              if (r.statusCode() == 200 && new JsonObject(r.body()).getJsonArray("documents").getJsonObject(0)
                .getString("status").equals("indexed")) {
                acknowledged.add("d-" + n);
                enough.countDown();
              }
            } catch (Exception e) {
              return; // the server died under us: that request was never acknowledged
            }
          }
        });
      }
      assertThat(enough.await(120, TimeUnit.SECONDS)).as("documents acknowledged before the kill").isTrue();
      // a batch over retrieval.asyncThreshold: 202 with a job, which the kill then interrupts
      JsonArray batch = new JsonArray();
      for (int i = 0; i < JOB_DOCUMENTS; i++) {
        batch.add(documents(JOB_BASE + i).getJsonArray("documents").getJsonObject(0));
      }
      HttpResponse<String> accepted = first.send("POST", "/v1/kbs/crash/documents", new JsonObject().put("documents", batch).encode());
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      jobId = new JsonObject(accepted.body()).getJsonObject("job").getString("id");
      long pid = first.process.pid();
      first.kill(); // mid-ingestion: writers still have requests in flight
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    } finally {
      stop.set(true);
      first.close();
      for (Thread w : writers) {
        if (w != null) {
          w.join(TimeUnit.SECONDS.toMillis(70));
        }
      }
    }
    // what the issue saw: the embedded PostgreSQL outlives its JVM and still holds the cluster
    long orphan = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).getFirst().trim());
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("orphaned PostgreSQL").contains(true);

    long restarting = System.nanoTime();
    try (ServerProcess second = ServerProcess.launch(dataDir, "second", List.of(), Map.of())) {
      second.awaitListening(START);
      long restartMs = (System.nanoTime() - restarting) / 1_000_000;
      System.out.println("restart after SIGKILL: ready in " + restartMs + " ms");
      assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      // ready only once this node's copies are loaded and every knowledge base answered a probe search
      await().atMost(START).until(() -> second.send("GET", "/ready", null).statusCode() == 200);
      JsonObject warmup = new JsonObject(second.send("GET", "/ready", null).body()).getJsonObject("warmup");
      assertThat(warmup.getString("status")).isEqualTo("UP");
      assertThat(warmup.getInteger("of")).as(warmup.encode()).isGreaterThanOrEqualTo(1);
      assertThat(warmup.getInteger("warmed")).as(warmup.encode()).isEqualTo(warmup.getInteger("of"));

      for (String id : acknowledged) {
        assertThat(second.send("GET", "/v1/kbs/crash/documents/" + id, null).statusCode()).as(id).isEqualTo(200);
        JsonArray hits = new JsonObject(second.send("POST", "/v1/kbs/crash/search",
          new JsonObject().put("query", token(id)).put("mode", "keyword").put("k", 1).encode()).body()).getJsonArray("hits");
        assertThat(hits).as("keyword hit for " + id).isNotEmpty();
        assertThat(hits.getJsonObject(0).getString("documentId")).isEqualTo(id);
      }

      // the job's documents were stored with it before the 202: the job resumes and every one of them is indexed
      JsonObject job = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .until(() -> new JsonObject(second.send("GET", "/v1/jobs/" + jobId, null).body()),
          j -> "done".equals(j.getString("status")));
      assertThat(job.getInteger("done")).isEqualTo(JOB_DOCUMENTS);
      for (int i = 0; i < JOB_DOCUMENTS; i++) {
        String id = "d-" + (JOB_BASE + i);
        JsonArray hits = new JsonObject(second.send("POST", "/v1/kbs/crash/search",
          new JsonObject().put("query", token(id)).put("mode", "keyword").put("k", 1).encode()).body()).getJsonArray("hits");
        assertThat(hits).as("job document " + id).isNotEmpty();
      }

      ServerProcess intruder = ServerProcess.launch(dataDir, "intruder", List.of(), Map.of());
      assertThat(intruder.process.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(intruder.process.exitValue()).isEqualTo(Main.EXIT_DATA_DIR_IN_USE);
      assertThat(Files.readString(dataDir.resolveSibling(dataDir.getFileName() + "-intruder.stderr"), StandardCharsets.UTF_8))
        .contains("data directory " + dataDir.toAbsolutePath().normalize() + " is in use by another Ganglion (pid "
          + second.process.pid() + ")");
      assertThat(second.send("GET", "/ready", null).statusCode()).as("the running server is untouched").isEqualTo(200);
    }
  }

  private static JsonObject documents(int n) {
    String id = "d-" + n;
    return new JsonObject().put("documents", new JsonArray().add(new JsonObject().put("id", id).put("title", "Note " + n)
      .put("text", "Operational note " + n + " mentions the marker " + token(id) + ". It covers restarts, "
        + "backups and the handling of acknowledged writes after a power loss.")));
  }

  private static String token(String id) {
    return "zq" + id.substring(2) + "x";
  }
}
