package io.ganglion.http.auth;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Audit entries for changes to a tenant's data, written once the change succeeded (a 2xx response): knowledge base
 * create ({@code kb.create}) and delete ({@code kb.delete}), ingestion ({@code documents.ingest}, with the number of
 * documents, their ids or file names (the first {@value #MAX_IDS}) and whether it ran as a job) and document delete
 * ({@code document.delete}), and for agents: {@code agent.create}, {@code agent.update}, {@code agent.delete} and the
 * decisions on a run ({@code run.approve}, {@code run.reject}, {@code run.cancel}). Each entry has the request id, principal, tenant, target and source address, like the
 * key-management entries. Mounted after authentication, before the routes; it only watches the response.
 */
public final class DataPlaneAudit {

  static final int MAX_IDS = 20;

  private final AuditLog audit;

  public DataPlaneAudit(AuditLog audit) {
    this.audit = audit;
  }

  public void mount(Router router) {
    router.post("/v1/kbs").handler(watch("kb.create", DataPlaneAudit::name, ctx -> new JsonObject()));
    router.delete("/v1/kbs/:kb").handler(watch("kb.delete", ctx -> ctx.pathParam("kb"), ctx -> new JsonObject()));
    router.post("/v1/kbs/:kb/documents").handler(watch("documents.ingest", ctx -> ctx.pathParam("kb"),
      DataPlaneAudit::ingestDetail));
    router.delete("/v1/kbs/:kb/documents/:id").handler(watch("document.delete",
      ctx -> ctx.pathParam("kb") + "/" + ctx.pathParam("id"), ctx -> new JsonObject()));
    router.post("/v1/agents").handler(watch("agent.create", DataPlaneAudit::name, ctx -> new JsonObject()));
    router.put("/v1/agents/:name").handler(watch("agent.update", ctx -> ctx.pathParam("name"), ctx -> new JsonObject()));
    router.delete("/v1/agents/:name").handler(watch("agent.delete", ctx -> ctx.pathParam("name"), ctx -> new JsonObject()));
    for (String decision : java.util.List.of("approve", "reject", "cancel")) {
      router.post("/v1/runs/:id/" + decision).handler(watch("run." + decision, ctx -> ctx.pathParam("id"),
        ctx -> new JsonObject()));
    }
  }

  private Handler<RoutingContext> watch(String action, java.util.function.Function<RoutingContext, String> target,
                                        java.util.function.Function<RoutingContext, JsonObject> detail) {
    return ctx -> {
      ctx.addEndHandler(ended -> {
        int status = ctx.response().getStatusCode();
        Principal principal = Principal.of(ctx);
        if (ended.succeeded() && status / 100 == 2 && principal != null) {
          audit.record(ctx, action, principal.tenant(), target.apply(ctx), detail.apply(ctx).put("status", status));
        }
      });
      ctx.next();
    };
  }

  private static String name(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      return body == null ? null : String.valueOf(body.getValue("name"));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static JsonObject ingestDetail(RoutingContext ctx) {
    JsonObject detail = new JsonObject().put("job", ctx.response().getStatusCode() == 202);
    if (!ctx.fileUploads().isEmpty()) {
      JsonArray files = new JsonArray();
      ctx.fileUploads().stream().limit(MAX_IDS).forEach(u -> files.add(u.fileName()));
      return detail.put("documents", ctx.fileUploads().size()).put("files", files);
    }
    String id = ctx.request().getParam("id");
    if (id != null) {
      return detail.put("documents", 1).put("ids", new JsonArray().add(id));
    }
    try {
      JsonObject body = ctx.body().asJsonObject();
      JsonArray documents = body == null ? null : body.getJsonArray("documents");
      if (documents != null) {
        JsonArray ids = new JsonArray();
        for (int i = 0; i < Math.min(MAX_IDS, documents.size()); i++) {
          ids.add(documents.getValue(i) instanceof JsonObject d ? d.getValue("id") : null);
        }
        return detail.put("documents", documents.size()).put("ids", ids);
      }
    } catch (RuntimeException e) {
      // not JSON: the route answered it, nothing more to say here
    }
    return detail;
  }
}
