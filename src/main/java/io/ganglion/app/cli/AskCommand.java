package io.ganglion.app.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ganglion ask KB "question"}: streams the answer as it is written ({@code POST /v1/kbs/{kb}/ask} with SSE),
 * then lists the citations. {@code --json} prints the final answer object instead.
 */
@Command(name = "ask", mixinStandardHelpOptions = true, description = "Ask a knowledge base; the answer streams, then its citations.")
final class AskCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "KB")
  String kb;

  @Parameters(index = "1", paramLabel = "QUESTION")
  String question;

  @Option(names = "--k", description = "passages to retrieve")
  Integer k;

  @Option(names = "--generator", description = "extractive or a configured provider")
  String generator;

  @Option(names = "--conversation", description = "continue this conversation id")
  String conversationId;

  @Override
  int run(ApiClient client) {
    JsonObject body = new JsonObject().put("question", question).put("stream", true);
    if (k != null) {
      body.put("k", k);
    }
    if (generator != null) {
      body.put("generator", generator);
    }
    if (conversationId != null) {
      body.put("conversationId", conversationId);
    }
    JsonObject[] answer = {null};
    JsonObject[] error = {null};
    client.events("/v1/kbs/" + ApiClient.encode(kb) + "/ask", body, (event, data) -> {
      switch (event) {
        case "token" -> {
          if (!json()) {
            out().print(new JsonObject(data).getString("text"));
            out().flush();
          }
        }
        case "done" -> answer[0] = new JsonObject(data);
        case "error" -> error[0] = new JsonObject(data).getJsonObject("error");
        default -> { }
      }
    });
    if (error[0] != null) {
      throw ApiException.fromStreamError(error[0]);
    }
    if (answer[0] == null) {
      throw new ApiException(ExitCodes.FAILED, "the answer stream ended without an answer");
    }
    if (json()) {
      printJson(answer[0]);
      return ExitCodes.OK;
    }
    out().println();
    answer[0].getJsonArray("citations").forEach(item -> {
      JsonObject c = (JsonObject) item;
      out().printf("[%d] %s (%s)%n", c.getInteger("n"), c.getString("title") == null ? c.getString("documentId")
        : c.getString("title"), c.getString("documentId"));
    });
    if (Boolean.TRUE.equals(answer[0].getBoolean("abstained"))) {
      out().println("(abstained: the knowledge base does not answer this confidently)");
    }
    out().println("trace " + answer[0].getString("traceId"));
    out().flush();
    return ExitCodes.OK;
  }
}
