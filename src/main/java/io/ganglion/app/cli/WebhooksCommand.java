package io.ganglion.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code ganglion webhooks create|list|delete|deliveries}: the key's tenant's webhooks (scope webhooks:write). */
@Command(name = "webhooks", description = "Register, list and delete the tenant's webhooks, and show their deliveries.",
  mixinStandardHelpOptions = true, subcommands = {WebhooksCommand.Create.class, WebhooksCommand.ListHooks.class,
  WebhooksCommand.Delete.class, WebhooksCommand.Deliveries.class})
final class WebhooksCommand {

  @Command(name = "create", description = "Register a webhook; a generated secret is printed once.",
    mixinStandardHelpOptions = true)
  static final class Create extends ClientCommand {
    @Parameters(paramLabel = "URL", description = "the http or https URL deliveries are POSTed to")
    String url;

    @Option(names = "--events", split = ",", required = true, description = "comma-separated: job.completed, "
      + "job.failed, document.deleted, kb.deleted, agent.run.completed, agent.run.waiting_approval, agent.run.failed, "
      + "agent.run.cancelled")
    List<String> events;

    @Option(names = "--secret", description = "the signing secret (16+ characters); left out, the server generates one")
    String secret;

    @Override
    int run(ApiClient client) {
      JsonObject body = new JsonObject().put("url", url).put("events", new JsonArray(events));
      if (secret != null) {
        body.put("secret", secret);
      }
      JsonObject hook = client.post("/v1/webhooks", body);
      if (json()) {
        printJson(hook);
      } else {
        out().println("id     " + hook.getString("id"));
        if (hook.getString("secret") != null) {
          out().println("secret " + hook.getString("secret") + "   (shown only now)");
        }
        out().flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List the tenant's webhooks, a page at a time.", mixinStandardHelpOptions = true)
  static final class ListHooks extends ClientCommand {
    @Mixin
    Pages pages;

    @Override
    int run(ApiClient client) {
      JsonObject page = client.get("/v1/webhooks" + pages.query());
      if (json()) {
        printJson(page);
        return ExitCodes.OK;
      }
      Table table = new Table("ID", "URL", "EVENTS");
      page.getJsonArray("webhooks").forEach(item -> {
        JsonObject h = (JsonObject) item;
        table.row(h.getString("id"), h.getString("url"),
          String.join(",", h.getJsonArray("events", new JsonArray()).stream().map(String::valueOf).toList()));
      });
      table.print(out());
      Pages.printNext(err(), page);
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", description = "Delete a webhook; its queued deliveries are dropped.", mixinStandardHelpOptions = true)
  static final class Delete extends ClientCommand {
    @Parameters(paramLabel = "ID")
    String id;

    @Override
    int run(ApiClient client) {
      client.delete("/v1/webhooks/" + ApiClient.encode(id));
      if (json()) {
        printJson(new JsonObject().put("deleted", id));
      } else {
        out().println("deleted " + id);
        out().flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "deliveries", description = "A webhook's deliveries, newest first, with their last attempt.",
    mixinStandardHelpOptions = true)
  static final class Deliveries extends ClientCommand {
    @Parameters(paramLabel = "ID")
    String id;

    @Mixin
    Pages pages;

    @Override
    int run(ApiClient client) {
      JsonObject page = client.get("/v1/webhooks/" + ApiClient.encode(id) + "/deliveries" + pages.query());
      if (json()) {
        printJson(page);
        return ExitCodes.OK;
      }
      Table table = new Table("ID", "EVENT", "STATUS", "ATTEMPTS", "LAST", "CREATED");
      page.getJsonArray("deliveries").forEach(item -> {
        JsonObject d = (JsonObject) item;
        String last = d.getValue("lastStatus") != null ? String.valueOf(d.getValue("lastStatus"))
          : d.getString("lastError") == null ? "" : d.getString("lastError");
        table.row(d.getString("id"), d.getString("event"), d.getString("status"),
          String.valueOf(d.getInteger("attempts")), last, d.getString("createdAt"));
      });
      table.print(out());
      Pages.printNext(err(), page);
      return ExitCodes.OK;
    }
  }
}
