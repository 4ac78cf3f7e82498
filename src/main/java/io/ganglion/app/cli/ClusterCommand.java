package io.ganglion.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;

/** {@code ganglion cluster status}: the cluster as the node at {@code --url} sees it ({@code GET /v1/cluster}). */
@Command(name = "cluster", description = "Show the cluster.", mixinStandardHelpOptions = true,
  subcommands = {ClusterCommand.Status.class})
final class ClusterCommand {

  @Command(name = "status", description = "The cluster's colour, its members and each knowledge base's shard copies "
    + "(admin key).", mixinStandardHelpOptions = true)
  static final class Status extends ClientCommand {

    @Override
    int run(ApiClient client) {
      JsonObject report = client.get("/v1/cluster");
      if (json()) {
        printJson(report);
        return ExitCodes.OK;
      }
      JsonArray members = report.getJsonArray("members", new JsonArray());
      out().println("cluster " + report.getString("status") + ": " + members.size() + " member"
        + (members.size() == 1 ? "" : "s") + ", quorum " + (report.getBoolean("quorum", false) ? "yes" : "no")
        + ", seen from " + report.getString("self") + (report.getBoolean("clustered", false) ? "" : " (not clustered)"));
      Table nodes = new Table("MEMBER", "HOST", "HTTP", "BUS", "STATE", "SINCE");
      members.forEach(item -> {
        JsonObject m = (JsonObject) item;
        nodes.row(m.getString("id"), m.getString("host"), String.valueOf(m.getValue("httpPort")),
          String.valueOf(m.getValue("busPort")), m.getString("state"), String.valueOf(m.getValue("since")));
      });
      nodes.print(out());
      Table kbs = new Table("KB", "TENANT", "SHARDS", "COPIES ACTIVE/OWNED", "LOADING");
      report.getJsonArray("kbs", new JsonArray()).forEach(item -> {
        JsonObject kb = (JsonObject) item;
        int owned = 0;
        int active = 0;
        int loading = 0;
        JsonArray shards = kb.getJsonArray("shards", new JsonArray());
        for (Object s : shards) {
          JsonObject shard = (JsonObject) s;
          owned += shard.getJsonArray("owners", new JsonArray()).size();
          active += shard.getJsonArray("active", new JsonArray()).size();
          loading += shard.getJsonArray("loading", new JsonArray()).size();
        }
        kbs.row(kb.getString("name"), kb.getString("tenant"), String.valueOf(shards.size()), active + "/" + owned,
          String.valueOf(loading));
      });
      out().println();
      kbs.print(out());
      return ExitCodes.OK;
    }
  }
}
