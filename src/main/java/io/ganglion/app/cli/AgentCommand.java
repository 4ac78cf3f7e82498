package io.ganglion.app.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Set;

/** {@code ganglion agent run|list}: the agents of the key's tenant (and the configured ones it sees), and their runs. */
@Command(name = "agent", description = "Run and list agents.", mixinStandardHelpOptions = true,
  subcommands = {AgentCommand.Run.class, AgentCommand.ListAgents.class})
final class AgentCommand {

  /** The statuses a run may end the command with and still exit 0 (a paused run is waiting for someone). */
  static final Set<String> SUCCESSFUL = Set.of("completed", "waiting_approval");

  /**
   * {@code ganglion agent run NAME "input"}: streams the run ({@code POST /v1/agents/{name}/runs} with SSE): the answer
   * on standard output as it is written, each tool call and its result on standard error, then the run's status, usage
   * and cost; the calls a paused run waits on. {@code --json} prints the final run object instead.
   */
  @Command(name = "run", description = "Run an agent; its answer streams, its tool calls are shown on stderr.",
    mixinStandardHelpOptions = true)
  static final class Run extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "INPUT")
    String input;

    @Option(names = "--conversation", description = "continue this conversation id")
    String conversationId;

    @Override
    int run(ApiClient client) {
      JsonObject body = new JsonObject().put("input", input).put("stream", true);
      if (conversationId != null) {
        body.put("conversationId", conversationId);
      }
      JsonObject[] finished = {null};
      JsonObject[] error = {null};
      client.events("/v1/agents/" + ApiClient.encode(name) + "/runs", body, (event, data) -> {
        switch (event) {
          case "token" -> {
            if (!json()) {
              out().print(new JsonObject(data).getString("text"));
              out().flush();
            }
          }
          case "tool_call" -> {
            if (!json()) {
              JsonObject call = new JsonObject(data);
              err().println("-> " + call.getString("tool") + " " + call.getValue("arguments")
                + (Boolean.TRUE.equals(call.getBoolean("approval")) ? " (waits for approval)" : ""));
              err().flush();
            }
          }
          case "tool_result" -> {
            if (!json()) {
              JsonObject result = new JsonObject(data);
              err().println("<- " + result.getString("tool") + (result.containsKey("error")
                ? " error: " + result.getValue("error") : " " + oneLine(result.getValue("result"))));
              err().flush();
            }
          }
          case "done" -> finished[0] = new JsonObject(data);
          case "error" -> error[0] = new JsonObject(data).getJsonObject("error");
          default -> { }
        }
      });
      if (error[0] != null) {
        throw ApiException.fromStreamError(error[0]);
      }
      if (finished[0] == null) {
        throw new ApiException(ExitCodes.FAILED, "the run stream ended without the run");
      }
      JsonObject run = finished[0];
      String status = run.getString("status");
      if (json()) {
        printJson(run);
      } else {
        out().println();
        if (run.getJsonArray("pending") != null) {
          run.getJsonArray("pending").forEach(p -> out().println("pending " + ((JsonObject) p).getString("tool") + " "
            + ((JsonObject) p).getValue("arguments") + ": approve with POST /v1/runs/" + run.getString("id")
            + "/approve"));
        }
        JsonObject usage = run.getJsonObject("usage", new JsonObject());
        out().printf("run %s %s: %d steps, %d tokens, $%.6f%s%n", run.getString("id"), status,
          run.getJsonArray("steps").size(), usage.getLong("totalTokens", 0L), run.getDouble("costUsd", 0.0),
          run.getJsonObject("error") == null ? "" : " (" + run.getJsonObject("error").getString("message") + ")");
        out().flush();
      }
      return SUCCESSFUL.contains(status) ? ExitCodes.OK : ExitCodes.RUN_ENDED;
    }

    private static String oneLine(Object value) {
      String text = String.valueOf(value).replaceAll("\\s+", " ");
      return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
  }

  @Command(name = "list", description = "List agents, a page at a time.", mixinStandardHelpOptions = true)
  static final class ListAgents extends ClientCommand {
    @Mixin
    Pages pages;

    @Override
    int run(ApiClient client) {
      JsonObject page = client.get("/v1/agents" + pages.query());
      if (json()) {
        printJson(page);
        return ExitCodes.OK;
      }
      Table table = new Table("NAME", "KIND", "SOURCE", "DESCRIPTION");
      page.getJsonArray("agents").forEach(item -> {
        JsonObject agent = (JsonObject) item;
        table.row(agent.getString("name"), agent.getString("kind"), agent.getString("source"),
          agent.getString("description"));
      });
      table.print(out());
      Pages.printNext(err(), page);
      return ExitCodes.OK;
    }
  }
}
