package io.ganglion.bench;

import io.ganglion.TestServer;
import io.ganglion.generation.ScriptedLlm;
import io.ganglion.generation.ScriptedLlm.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Agent runs under load, against the scripted OpenAI-compatible upstream: a real server (embedded stores), an agent
 * whose model asks for one {@code http_fetch} of a local page and then answers (two model steps, one tool step per
 * run), driven by wrk. Prints runs/s, then the orchestration overhead per step from the stored runs: what a model step
 * took in Ganglion minus what the upstream took to answer it, what a tool step took minus the page's service time,
 * and what a run took beyond its steps (storing turns, reflex on input, conversation).
 * <pre>bench/agents.sh [connections] [seconds]</pre>
 */
public final class AgentBench {

  public static void main(String[] args) throws Exception {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    Vertx vertx = Vertx.vertx();
    LongAdder pageNanos = new LongAdder();
    AtomicLong pages = new AtomicLong();
    int site = vertx.createHttpServer().requestHandler(r -> {
      long start = System.nanoTime();
      r.response().putHeader("content-type", "text/plain").endHandler(v -> {
        pageNanos.add(System.nanoTime() - start);
        pages.incrementAndGet();
      }).end("The page says hello.");
    }).listen(0, "127.0.0.1").await().actualPort();
    ScriptedLlm llm = ScriptedLlm.start(vertx).notRecording();
    llm.script(turn -> turn.step() == 0
      ? Reply.calls(ScriptedLlm.call("http_fetch", new JsonObject().put("url", "http://127.0.0.1:" + site + "/")))
      : Reply.text("It says hello."));
    Path data = Files.createTempDirectory(Path.of("target"), "bench-agents-");
    JsonObject config = new JsonObject()
      .put("llm", new JsonObject().put("providers", new JsonArray().add(new JsonObject().put("name", "scripted")
        .put("type", "openai").put("baseUrl", llm.openAiBaseUrl()).put("model", "scripted-1").put("maxConcurrency", 1024)
        .put("maxRetries", 0))))
      .put("tools", new JsonObject().put("httpFetch", new JsonObject()
        .put("allowHosts", new JsonArray().add("127.0.0.1")).put("allowPrivateTargets", true)))
      .put("orchestration", new JsonObject().put("runs", new JsonObject().put("maxActive", 4096)));
    Path file = data.resolve("bench.json");
    Files.writeString(file, config.encode());
    try (TestServer server = TestServer.start(data, Map.of("config", file.toString(), "reflex.cache.enabled", "false"))) {
      server.postJson("/v1/agents", new JsonObject().put("name", "bench").put("instructions", "Use the tools.")
        .put("tools", new JsonArray().add("http_fetch")).encode());
      String key = TestServer.json(server.postJson("/v1/admin/keys", new JsonObject().put("tenant", "default")
        .put("scopes", new JsonArray().add("chat").add("tools:http_fetch")).encode())).getString("key");
      // warm-up: JIT, pools, the first PostgreSQL statements
      wrk(server, key, Math.min(8, connections), 5);
      String load = Files.readString(Path.of("/proc/loadavg")).strip();
      String wrk = wrk(server, key, connections, seconds);
      String loadAfter = Files.readString(Path.of("/proc/loadavg")).strip();
      System.out.println(wrk);
      System.out.println("load average before: " + load + "; after: " + loadAfter);
      overhead(server, llm, pageNanos.sum() / 1e6 / Math.max(1, pages.get()));
    } finally {
      vertx.close().await();
    }
  }

  private static String wrk(TestServer server, String key, int connections, int seconds) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
      "-s", "bench/wrk/agent-run.lua", server.uri("/v1/agents/bench/runs").toString()).redirectErrorStream(true);
    builder.environment().put("KEY", key);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes());
    process.waitFor();
    return out;
  }

  /** Per-step overhead from the newest stored runs. */
  private static void overhead(TestServer server, ScriptedLlm llm, double pageMs) {
    List<Double> model = new ArrayList<>();
    List<Double> tool = new ArrayList<>();
    List<Double> rest = new ArrayList<>();
    String after = null;
    int runs = 0;
    while (runs < 500) {
      JsonObject page = TestServer.json(server.get("/v1/agents/bench/runs?limit=100"
        + (after == null ? "" : "&after=" + after)));
      for (Object item : page.getJsonArray("runs")) {
        JsonObject summary = (JsonObject) item;
        if (!"completed".equals(summary.getString("status"))) {
          continue;
        }
        JsonObject run = TestServer.json(server.get("/v1/runs/" + summary.getString("id")));
        double steps = 0;
        for (Object s : run.getJsonArray("steps")) {
          JsonObject step = (JsonObject) s;
          double ms = step.getDouble("ms", 0.0);
          steps += ms;
          ("model".equals(step.getString("type")) ? model : tool).add(ms);
        }
        double wall = java.time.Duration.between(java.time.OffsetDateTime.parse(summary.getString("createdAt")),
          java.time.OffsetDateTime.parse(summary.getString("finishedAt"))).toNanos() / 1e6;
        rest.add(wall - steps);
        runs++;
      }
      after = page.getString("next");
      if (after == null) {
        break;
      }
    }
    double upstream = llm.meanServiceMs();
    System.out.printf("runs sampled: %d (two model steps, one tool step each)%n", runs);
    System.out.printf("model step: p50 %.2f ms, mean %.2f ms; upstream service mean %.3f ms -> overhead %.2f ms%n",
      pct(model, 50), mean(model), upstream, mean(model) - upstream);
    System.out.printf("tool step:  p50 %.2f ms, mean %.2f ms; page service mean %.3f ms -> overhead %.2f ms%n",
      pct(tool, 50), mean(tool), pageMs, mean(tool) - pageMs);
    System.out.printf("run beyond its steps (stored turns, input reflex, conversation): p50 %.2f ms, mean %.2f ms%n",
      pct(rest, 50), mean(rest));
  }

  private static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  private static double pct(List<Double> values, int p) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
  }
}
