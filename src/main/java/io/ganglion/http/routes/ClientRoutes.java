package io.ganglion.http.routes;

import io.ganglion.config.HttpConfig;
import io.ganglion.http.Replies;
import io.ganglion.http.auth.Principal;
import io.ganglion.retrieval.RetrievalConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * What any valid credential may ask about itself:
 * <ul>
 *   <li>{@code GET /v1/me}: who it is (subject, tenant, scopes, key id, its own rate and token limits), so a client such
 *   as the console shows only what the credential may do;</li>
 *   <li>{@code GET /v1/limits}: the request limits a client must respect to upload without a 413 (body size, documents
 *   per ingestion request, file size) and when ingestion turns into a background job. The CLI's {@code ingest} and the
 *   console's upload batch by these.</li>
 * </ul>
 */
public final class ClientRoutes {

  private final JsonObject limits;

  public ClientRoutes(HttpConfig http, RetrievalConfig retrieval) {
    this.limits = new JsonObject()
      .put("bodyLimitBytes", http.bodyLimitBytes())
      .put("maxDocumentsPerRequest", retrieval.maxDocumentsPerRequest())
      .put("maxFileBytes", retrieval.maxFileBytes())
      .put("asyncThreshold", retrieval.asyncThreshold());
  }

  public void mount(Router router) {
    router.get("/v1/me").handler(ctx -> Replies.json(ctx, 200, Principal.of(ctx).toJson()));
    router.get("/v1/limits").handler(ctx -> Replies.json(ctx, 200, limits));
  }
}
