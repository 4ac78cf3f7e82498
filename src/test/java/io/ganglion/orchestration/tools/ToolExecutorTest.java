package io.ganglion.orchestration.tools;

import io.ganglion.generation.ToolCall;
import io.ganglion.generation.ToolDefinition;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The tool executor turns every failure into a result the model can act on")
class ToolExecutorTest {

  private final AtomicInteger runs = new AtomicInteger();

  private Tool tool(String name, java.util.function.Function<JsonObject, Future<ToolResult>> body) {
    ToolDefinition definition = new ToolDefinition(name, "test", new JsonObject().put("type", "object")
      .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string").put("minLength", 2))
        .put("days", new JsonObject().put("type", "integer").put("maximum", 7)))
      .put("required", new JsonArray().add("city")).put("additionalProperties", false));
    return new Tool() {
      @Override
      public ToolDefinition definition() {
        return definition;
      }

      @Override
      public String source() {
        return "test";
      }

      @Override
      public Future<ToolResult> call(JsonObject arguments, ToolContext context) {
        runs.incrementAndGet();
        return body.apply(arguments);
      }
    };
  }

  private ToolResult execute(Tool tool, String arguments, Set<String> scopes, int maxChars, long timeoutMs) {
    ToolsConfig config = new ToolsConfig(timeoutMs, maxChars, null, null, List.of());
    ToolExecutor executor = new ToolExecutor(new ToolRegistry().add(tool), config);
    return executor.execute(new ToolCall("c1", tool.name(), arguments), List.of(tool),
      new ToolContext("run", "t", scopes, List.of(), 60_000)).result();
  }

  private ToolResult execute(Tool tool, String arguments) {
    return execute(tool, arguments, Set.of("tools:*"), 1000, 5000);
  }

  @Test
  @DisplayName("schema violations are listed by location and the tool does not run")
  void schema() {
    Tool weather = tool("weather", a -> Future.succeededFuture(ToolResult.of("sunny")));

    ToolResult missing = execute(weather, "{\"days\":9,\"extra\":true}");
    ToolResult notJson = execute(weather, "{\"city\": Oslo}");

    assertThat(missing.error()).isTrue();
    assertThat(missing.text()).contains("do not match its schema").contains("/days").contains("did not run");
    assertThat(notJson.text()).contains("must be a JSON object");
    assertThat(runs).hasValue(0);
    assertThat(execute(weather, "{\"city\":\"Oslo\"}").text()).isEqualTo("sunny");
  }

  @Test
  @DisplayName("a name the agent does not offer is answered with the names it does offer")
  void hallucinatedName() {
    Tool weather = tool("weather", a -> Future.succeededFuture(ToolResult.of("sunny")));
    ToolExecutor executor = new ToolExecutor(new ToolRegistry().add(weather),
      new ToolsConfig(5000, 1000, null, null, List.of()));

    ToolResult result = executor.execute(new ToolCall("c1", "wether", "{}"), List.of(weather),
      new ToolContext("run", "t", Set.of("tools:*"), List.of(), 60_000)).result();

    assertThat(result.text()).contains("no tool named 'wether'").contains("[weather]");
  }

  @Test
  @DisplayName("exceptions, failed futures, missing scopes and long results become results")
  void failures() {
    ToolResult thrown = execute(tool("a", a -> {
      throw new IllegalStateException("boom");
    }), "{\"city\":\"Oslo\"}");
    ToolResult failed = execute(tool("b", a -> Future.failedFuture(new RuntimeException("down"))), "{\"city\":\"Oslo\"}");
    ToolResult unscoped = execute(tool("c", a -> Future.succeededFuture(ToolResult.of("x"))), "{\"city\":\"Oslo\"}",
      Set.of("chat"), 1000, 5000);
    ToolResult longResult = execute(tool("d", a -> Future.succeededFuture(ToolResult.of("y".repeat(300)))),
      "{\"city\":\"Oslo\"}", Set.of("tools:d"), 256, 5000);

    assertThat(thrown.error()).isTrue();
    assertThat(thrown.text()).isEqualTo("a failed: boom");
    assertThat(failed.text()).isEqualTo("b failed: down");
    assertThat(unscoped.text()).contains("lacks the scope tools:c");
    assertThat(longResult.text()).startsWith("y".repeat(256)).contains("[result cut at 256 of 300 characters]");
  }

  @Test
  @DisplayName("a tool that never answers is reported as timed out")
  void timeout() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      Promise<ToolResult> never = Promise.promise();
      Promise<ToolResult> done = Promise.promise();
      vertx.runOnContext(v -> {
        ToolsConfig config = new ToolsConfig(100, 1000, null, null, List.of());
        Tool slow = tool("slow", a -> never.future());
        new ToolExecutor(new ToolRegistry().add(slow), config).execute(new ToolCall("c", "slow", "{\"city\":\"Oslo\"}"),
          List.of(slow), new ToolContext("run", "t", Set.of("tools:slow"), List.of(), 60_000)).onComplete(done);
      });
      assertThat(done.future().await().text()).isEqualTo("slow did not answer within 100 ms.");
    } finally {
      vertx.close().await();
    }
  }
}
