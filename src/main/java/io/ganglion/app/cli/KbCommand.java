package io.ganglion.app.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ganglion kb create|list|get|delete}: knowledge bases of the key's tenant. */
@Command(name = "kb", description = "Create, list, show and delete knowledge bases.", mixinStandardHelpOptions = true,
  subcommands = {KbCommand.Create.class, KbCommand.ListKbs.class, KbCommand.Get.class, KbCommand.Delete.class})
final class KbCommand {

  @Command(name = "create", description = "Create a knowledge base.", mixinStandardHelpOptions = true)
  static final class Create extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "[a-z0-9][a-z0-9_-]{0,62}")
    String name;

    @Override
    int run(ApiClient client) {
      JsonObject kb = client.post("/v1/kbs", new JsonObject().put("name", name));
      if (json()) {
        printJson(kb);
      } else {
        out().println("created " + kb.getString("name"));
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List knowledge bases, a page at a time.", mixinStandardHelpOptions = true)
  static final class ListKbs extends ClientCommand {
    @Mixin
    Pages pages;

    @Override
    int run(ApiClient client) {
      JsonObject page = client.get("/v1/kbs" + pages.query());
      if (json()) {
        printJson(page);
        return ExitCodes.OK;
      }
      Table table = new Table("NAME", "CREATED");
      page.getJsonArray("kbs").forEach(kb -> table.row(((JsonObject) kb).getString("name"),
        ((JsonObject) kb).getString("createdAt")));
      table.print(out());
      Pages.printNext(err(), page);
      return ExitCodes.OK;
    }
  }

  @Command(name = "get", description = "Show a knowledge base with its counts.", mixinStandardHelpOptions = true)
  static final class Get extends ClientCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int run(ApiClient client) {
      JsonObject kb = client.get("/v1/kbs/" + ApiClient.encode(name));
      if (json()) {
        printJson(kb);
      } else {
        out().printf("%s: %d documents, %d chunks, %d pending, version %s, created %s%n", kb.getString("name"),
          kb.getLong("documents", 0L), kb.getLong("chunks", 0L), kb.getLong("pending", 0L), kb.getValue("version"),
          kb.getString("createdAt"));
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", description = "Delete a knowledge base with its documents.", mixinStandardHelpOptions = true)
  static final class Delete extends ClientCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int run(ApiClient client) {
      client.delete("/v1/kbs/" + ApiClient.encode(name));
      if (json()) {
        printJson(new JsonObject().put("deleted", name));
      } else {
        out().println("deleted " + name);
      }
      return ExitCodes.OK;
    }
  }
}
