package io.ganglion.http.routes;

import io.ganglion.config.HttpConfig;
import io.ganglion.retrieval.RetrievalConfig;
import io.ganglion.http.Replies;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /v1/limits} (any valid credential): the request limits a client must respect to upload without a 413 —
 * body size, documents per ingestion request, file size — and when ingestion turns into a background job. The CLI's
 * {@code ingest} and the console's upload batch by these.
 */
public final class LimitsRoutes {

  private final JsonObject limits;

  public LimitsRoutes(HttpConfig http, RetrievalConfig retrieval) {
    this.limits = new JsonObject()
      .put("bodyLimitBytes", http.bodyLimitBytes())
      .put("maxDocumentsPerRequest", retrieval.maxDocumentsPerRequest())
      .put("maxFileBytes", retrieval.maxFileBytes())
      .put("asyncThreshold", retrieval.asyncThreshold());
  }

  public void mount(Router router) {
    router.get("/v1/limits").handler(ctx -> Replies.json(ctx, 200, limits));
  }
}
