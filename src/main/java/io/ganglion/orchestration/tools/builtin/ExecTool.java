package io.ganglion.orchestration.tools.builtin;

import io.ganglion.generation.ToolDefinition;
import io.ganglion.orchestration.tools.Tool;
import io.ganglion.orchestration.tools.ToolContext;
import io.ganglion.orchestration.tools.ToolResult;
import io.ganglion.orchestration.tools.ToolsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * {@code exec {"program","args"?,"stdin"?}}: runs one of the operator's allowlisted programs
 * ({@code tools.exec.programs}) in the {@link Sandbox}, without a shell (arguments are passed as they are, nothing
 * expands them), and returns its exit code, stdout and stderr. Off by default; when enabled it is registered only if
 * the sandbox actually isolates a process on this machine ({@link #create}), otherwise start-up logs why and the tool
 * stays out of the registry. Needs {@code tools:exec}.
 */
public final class ExecTool implements Tool {

  public static final String NAME = "exec";

  private final Vertx vertx;
  private final Sandbox sandbox;
  private final ToolDefinition definition;

  private ExecTool(Vertx vertx, Sandbox sandbox, ToolsConfig.Exec config) {
    this.vertx = vertx;
    this.sandbox = sandbox;
    this.definition = new ToolDefinition(NAME,
      "Run one allowed program in an isolated sandbox (no network, read-only system, empty /tmp). No shell.",
      new JsonObject().put("type", "object")
        .put("properties", new JsonObject()
          .put("program", new JsonObject().put("type", "string").put("enum", new JsonArray(List.copyOf(config.programs()))))
          .put("args", new JsonObject().put("type", "array").put("maxItems", 64)
            .put("items", new JsonObject().put("type", "string").put("maxLength", 4096)))
          .put("stdin", new JsonObject().put("type", "string").put("maxLength", 1_000_000)))
        .put("required", new JsonArray().add("program"))
        .put("additionalProperties", false));
  }

  /**
   * The tool, if the sandbox works here: a trivial program is run isolated first (on a worker thread).
   *
   * @return the tool, or a failure whose message says why isolation is unavailable
   */
  public static Future<ExecTool> create(Vertx vertx, ToolsConfig.Exec config) {
    if (config.programs().isEmpty()) {
      return Future.failedFuture(new IllegalStateException("tools.exec.programs is empty: there is nothing it may run"));
    }
    Sandbox sandbox = new Sandbox(config);
    return vertx.executeBlocking(sandbox::probe, false).compose(problem -> problem == null
      ? Future.succeededFuture(new ExecTool(vertx, sandbox, config))
      : Future.failedFuture(new IllegalStateException(problem)));
  }

  @Override
  public ToolDefinition definition() {
    return definition;
  }

  @Override
  public String source() {
    return "builtin";
  }

  @Override
  public Future<ToolResult> call(JsonObject arguments, ToolContext context) {
    String program = arguments.getString("program");
    List<String> args = arguments.getJsonArray("args", new JsonArray()).stream().map(String::valueOf).toList();
    String stdin = arguments.getString("stdin");
    return vertx.executeBlocking(() -> sandbox.run(program, args, stdin), false).map(outcome -> {
      JsonObject result = new JsonObject().put("exitCode", outcome.exitCode()).put("stdout", outcome.stdout())
        .put("stderr", outcome.stderr());
      if (outcome.truncated()) {
        result.put("truncated", true);
      }
      if (outcome.timedOut()) {
        result.put("timedOut", true);
      }
      return new ToolResult(result.encode(), outcome.exitCode() != 0);
    });
  }
}
