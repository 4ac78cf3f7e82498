package io.ganglion.orchestration.tools;

import io.ganglion.generation.ToolCall;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one tool call the way a model needs it run: whatever goes wrong becomes the call's result, so the model can
 * correct itself, and the run goes on. In order: a name the agent does not offer (a hallucinated tool) → the list of
 * tools it does offer; arguments that are not a JSON object, or that break the tool's schema → what is wrong, and
 * the tool does not run; a credential without {@code tools:<name>} → refused; a tool that is unavailable (its MCP
 * server restarting) → said so; then the call itself, bounded by {@code tools.timeoutMs}; an exception inside it →
 * its message. Results longer than {@code tools.maxResultChars} are cut, saying so.
 * <p>
 * <b>NOTE</b>: call on the orchestrator's event loop; the future never fails.
 */
public final class ToolExecutor {

  private static final Logger LOG = LoggerFactory.getLogger(ToolExecutor.class);

  private final ToolRegistry registry;
  private final ToolsConfig config;

  public ToolExecutor(ToolRegistry registry, ToolsConfig config) {
    this.registry = registry;
    this.config = config;
  }

  public ToolRegistry registry() {
    return registry;
  }

  /**
   * @param offered the tools the model was offered in this run (only these may run)
   */
  public Future<ToolResult> execute(ToolCall call, List<Tool> offered, ToolContext context) {
    Tool tool = offered.stream().filter(t -> t.name().equals(call.name())).findFirst().orElse(null);
    if (tool == null) {
      return done(ToolResult.error("There is no tool named '" + call.name() + "'. The tools you can call are: "
        + offered.stream().map(Tool::name).toList() + "."));
    }
    JsonObject arguments = call.argumentsObject();
    if (arguments == null) {
      return done(ToolResult.error("The arguments of " + tool.name() + " must be a JSON object; got: "
        + abbreviate(call.arguments(), 200)));
    }
    String invalid = registry.schema(tool).check(arguments);
    if (invalid != null) {
      return done(ToolResult.error("The arguments of " + tool.name() + " do not match its schema, so it did not run: "
        + invalid + ". Call it again with arguments that match."));
    }
    if (tool.needsToolScope() && !context.mayUse(tool.name())) {
      return done(ToolResult.error("The credential this run acts for lacks the scope tools:" + tool.name()
        + ", so " + tool.name() + " did not run."));
    }
    String unavailable = tool.unavailable();
    if (unavailable != null) {
      return done(ToolResult.error(tool.name() + " is unavailable right now: " + unavailable));
    }
    long timeoutMs = Math.min(config.timeoutMs(), Math.max(1, context.timeoutMs()));
    Future<ToolResult> result;
    try {
      result = tool.call(arguments, context);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .map(this::bounded)
      .recover(failure -> {
        if (failure instanceof java.util.concurrent.TimeoutException) {
          return done(ToolResult.error(tool.name() + " did not answer within " + timeoutMs + " ms."));
        }
        LOG.debug("tool {} failed in run {}: {}", tool.name(), context.runId(), failure.toString());
        return done(ToolResult.error(tool.name() + " failed: " + describe(failure)));
      });
  }

  private ToolResult bounded(ToolResult result) {
    String text = result.text() == null ? "" : result.text();
    if (text.length() <= config.maxResultChars()) {
      return new ToolResult(text, result.error());
    }
    return new ToolResult(text.substring(0, config.maxResultChars()) + "\n[result cut at " + config.maxResultChars()
      + " of " + text.length() + " characters]", result.error());
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }

  private static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }

  private static Future<ToolResult> done(ToolResult result) {
    return Future.succeededFuture(result);
  }

}
