package io.ganglion.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code ganglion keys create|list|revoke}: API keys (needs an admin key). */
@Command(name = "keys", description = "Create, list and revoke API keys (admin).", mixinStandardHelpOptions = true,
  subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand {

  @Command(name = "create", description = "Create a key; it is printed once.", mixinStandardHelpOptions = true)
  static final class Create extends ClientCommand {
    @Option(names = "--tenant", required = true, description = "tenant the key belongs to (created when new)")
    String tenant;

    @Option(names = "--scopes", split = ",", defaultValue = "kb:read,kb:write,chat",
      description = "comma-separated: kb:read, kb:write, chat, admin, tools:<name> (default: ${DEFAULT-VALUE})")
    List<String> scopes;

    @Option(names = "--name", description = "a label for the key")
    String name;

    @Option(names = "--rpm", description = "requests per minute")
    Integer rpm;

    @Option(names = "--tokens-per-day", description = "generation tokens per UTC day")
    Long tokensPerDay;

    @Override
    int run(ApiClient client) {
      JsonObject body = new JsonObject().put("tenant", tenant).put("scopes", new JsonArray(scopes));
      if (name != null) {
        body.put("name", name);
      }
      if (rpm != null) {
        body.put("rpm", rpm);
      }
      if (tokensPerDay != null) {
        body.put("tokensPerDay", tokensPerDay);
      }
      JsonObject key = client.post("/v1/admin/keys", body);
      if (json()) {
        printJson(key);
      } else {
        out().println("id  " + key.getString("id"));
        out().println("key " + key.getString("key") + "   (shown only now)");
        out().flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List keys, a page at a time (never the keys themselves).", mixinStandardHelpOptions = true)
  static final class ListKeys extends ClientCommand {
    @Option(names = "--tenant", description = "only this tenant's keys")
    String tenant;

    @Mixin
    Pages pages;

    @Override
    int run(ApiClient client) {
      JsonObject page = client.get("/v1/admin/keys" + pages.query()
        + (tenant == null ? "" : "&tenant=" + ApiClient.encode(tenant)));
      if (json()) {
        printJson(page);
        return ExitCodes.OK;
      }
      Table table = new Table("ID", "TENANT", "NAME", "PREFIX", "SCOPES", "REVOKED");
      page.getJsonArray("keys").forEach(item -> {
        JsonObject k = (JsonObject) item;
        table.row(k.getString("id"), k.getString("tenant"), k.getString("name"), k.getString("prefix"),
          String.join(",", k.getJsonArray("scopes", new JsonArray()).stream().map(String::valueOf).toList()),
          k.getString("revokedAt"));
      });
      table.print(out());
      Pages.printNext(err(), page);
      return ExitCodes.OK;
    }
  }

  @Command(name = "revoke", description = "Revoke a key at once, on every node.", mixinStandardHelpOptions = true)
  static final class Revoke extends ClientCommand {
    @Parameters(paramLabel = "ID")
    String id;

    @Override
    int run(ApiClient client) {
      client.delete("/v1/admin/keys/" + ApiClient.encode(id));
      if (json()) {
        printJson(new JsonObject().put("revoked", id));
      } else {
        out().println("revoked " + id);
        out().flush();
      }
      return ExitCodes.OK;
    }
  }
}
