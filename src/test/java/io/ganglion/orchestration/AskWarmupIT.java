package io.ganglion.orchestration;

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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The warm-up asks before /ready after a restart")
class AskWarmupIT {

  static final String ADMIN_KEY = "warmup-admin-key-0123456789";
  static final String KB = "clinic";
  static TestServer server;

  @BeforeAll
  static void restarted() throws Exception {
    Path data = Files.createTempDirectory(Path.of("target"), "warmup-");
    try (TestServer first = TestServer.start(data, Map.of("admin.key", ADMIN_KEY))) {
      assertThat(first.postJson("/v1/kbs", new JsonObject().put("name", KB).encode()).statusCode()).isEqualTo(201);
      JsonArray docs = new JsonArray()
        .add(new JsonObject().put("id", "trial").put("text", "The trial followed 300 patients for a year. Those treated "
          + "with the new drug had fewer complications, and the effect was measured at every visit."))
        .add(new JsonObject().put("id", "cells").put("text", "Immune cells respond to the infection within hours. "
          + "T cells and macrophages are involved in the response that follows."))
        .add(new JsonObject().put("id", "hours").put("text", "The clinic opens at eight and closes at six on weekdays."));
      HttpResponse<String> ingested = first.postJson("/v1/kbs/" + KB + "/documents",
        new JsonObject().put("documents", docs).encode());
      assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
    }
    server = TestServer.start(data, Map.of("admin.key", ADMIN_KEY)).awaitReady();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @DisplayName("ran its asks and opened the PostgreSQL pool before /ready said ready, and left no trace, conversation, cached answer or reflex verdict behind; the first real ask is recorded as usual")
  void leavesNoTrace() {
    JsonObject ready = TestServer.json(server.get("/ready"));
    assertThat(ready.getString("status")).isEqualTo("UP");
    JsonObject asks = ready.getJsonObject("warmup").getJsonObject("asks");
    assertThat(asks.getString("status")).isEqualTo("UP");
    assertThat(asks.getInteger("asked")).as(asks.encode()).isEqualTo(4);
    assertThat(asks.getInteger("failed")).as(asks.encode()).isZero();
    // the PostgreSQL pool's connections were opened too (postgres.poolSize, 8 by default)
    assertThat(asks.getInteger("connections")).as(asks.encode()).isEqualTo(8);

    assertThat(traces()).isEmpty();
    String metrics = server.get("/metrics").body();
    assertThat(value(metrics, "ganglion_reflex_inspect_seconds_count")).isZero();
    assertThat(value(metrics, "ganglion_reflex_cache_entries")).isZero();
    assertThat(value(metrics, "ganglion_reflex_cache_misses_total")).isZero();

    // the same counts move for a real ask: the assertions above could fail
    HttpResponse<String> answered = server.postJson("/v1/kbs/" + KB + "/ask",
      new JsonObject().put("question", "Which cells are involved in the response?").put("generator", "extractive").encode());
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    assertThat(traces()).hasSize(1);
    assertThat(traces().getJsonObject(0).getString("id")).isEqualTo(TestServer.json(answered).getString("traceId"));
    String after = server.get("/metrics").body();
    assertThat(value(after, "ganglion_reflex_inspect_seconds_count")).isPositive();
    assertThat(value(after, "ganglion_reflex_cache_misses_total")).isPositive();
  }

  private static JsonArray traces() {
    HttpResponse<String> r = server.get("/v1/traces?kb=" + KB);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServer.json(r).getJsonArray("traces");
  }

  /** The sum of a Prometheus metric's samples (every label set); 0 when it has none. */
  private static double value(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(metrics);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(2));
    }
    return sum;
  }
}
