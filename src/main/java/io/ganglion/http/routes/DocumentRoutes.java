package io.ganglion.http.routes;

import io.ganglion.http.Replies;
import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.RequestIds;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.RequestTimeout;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Documents, search and ingestion jobs of a knowledge base; the retrieval verticle does the work.
 * <ul>
 *   <li>{@code POST /v1/kbs/{kb}/documents} ({@code kb:write}): JSON {@code {"documents":[{"id","title"?,"text",
 *   "metadata"?}]}}, a multipart upload (one file per part; form fields {@code id}, {@code title}), or a raw body of
 *   text/plain, text/markdown, text/html or application/pdf with {@code ?id=} (and {@code ?title=}). 200 with a result
 *   per document once searchable, or 202 with a job for large batches or with {@code Prefer: respond-async}
 *   ({@link JobRoutes}). A synchronous ingestion that could not be embedded behind the node's ingestion backlog within
 *   the request's budget ({@code http.requestTimeoutMs}) is refused at once: 503 {@code overloaded} with
 *   {@code Retry-After}; a job is never refused for that, it waits.</li>
 *   <li>{@code GET|DELETE /v1/kbs/{kb}/documents/{id}} ({@code kb:read} / {@code kb:write}).</li>
 *   <li>{@code POST /v1/kbs/{kb}/search} ({@code kb:read}).</li>
 * </ul>
 */
public final class DocumentRoutes {

  /**
   * Event-bus deadline of an ingestion request: a job's reply comes once its documents are stored; a synchronous one
   * carries the request's own budget in {@link Deadlines#DEADLINE_HEADER}, which ends it sooner.
   */
  static final long INGEST_TIMEOUT_MS = 300_000;

  private final Vertx vertx;
  private final long busTimeoutMs;

  public DocumentRoutes(Vertx vertx, long busTimeoutMs) {
    this.vertx = vertx;
    this.busTimeoutMs = busTimeoutMs;
  }

  public void mount(Router router) {
    router.post("/v1/kbs/:kb/documents").handler(this::ingest);
    router.get("/v1/kbs/:kb/documents").handler(this::listDocuments);
    router.get("/v1/kbs/:kb/documents/:id").handler(this::getDocument);
    router.delete("/v1/kbs/:kb/documents/:id").handler(this::deleteDocument);
    router.post("/v1/kbs/:kb/search").consumes("application/json").handler(this::search);
  }

  private void ingest(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, "kb:write");
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase();
    Future<JsonArray> documents = switch (mediaType) {
      case "application/json" -> {
        if (!(JsonBodies.object(ctx).getValue("documents") instanceof JsonArray docs)) {
          throw ErrorCode.INVALID_REQUEST.exception("'documents' must be a list");
        }
        yield Future.succeededFuture(docs);
      }
      case "multipart/form-data" -> uploads(ctx);
      case "text/plain", "text/markdown", "text/x-markdown", "text/html", "application/pdf" ->
        Future.succeededFuture(rawBody(ctx, mediaType));
      default -> throw ErrorCode.UNSUPPORTED_MEDIA_TYPE.exception("unsupported Content-Type '" + type
        + "': send application/json, multipart/form-data, text/plain, text/markdown, text/html or application/pdf");
    };
    boolean async = respondAsync(ctx.request().getHeader("Prefer"));
    // a synchronous ingestion is admitted against the time left in the request's budget: refused at once (503
    // overloaded) when the ingestion backlog could not be embedded in time, rather than answered 504 when it runs out
    DeliveryOptions options = Deadlines.within(INGEST_TIMEOUT_MS);
    long deadline = RequestTimeout.deadline(ctx);
    if (deadline != Long.MAX_VALUE) {
      options.addHeader(Deadlines.DEADLINE_HEADER, Long.toString(deadline));
    }
    documents
      .compose(docs -> vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.RETRIEVAL_INGEST), new JsonObject()
        .put("tenant", principal.tenant()).put("kb", ctx.pathParam("kb")).put("documents", docs).put("async", async),
        options))
      .map(Message::body)
      .onSuccess(reply -> {
        if (reply.containsKey("job")) {
          if (async) {
            ctx.response().putHeader("Preference-Applied", "respond-async");
          }
          Replies.json(ctx, 202, reply);
          return;
        }
        JsonArray results = reply.getJsonArray("documents");
        JsonObject firstError = results.stream().map(r -> ((JsonObject) r).getJsonObject("error"))
          .filter(java.util.Objects::nonNull).findFirst().orElse(null);
        boolean allFailed = results.stream().allMatch(r -> "failed".equals(((JsonObject) r).getString("status")));
        if (allFailed && firstError != null) {
          // nothing was stored: answer with the (first) reason's status and the error contract
          int status = errorStatus(firstError.getString("code"));
          if (status == 503) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
          }
          Replies.json(ctx, status, new JsonObject().put("error", firstError.copy().put("requestId", RequestIds.current()))
            .put("documents", results));
        } else {
          Replies.json(ctx, 200, reply);
        }
      })
      .onFailure(ctx::fail);
  }

  /** Whether a {@code Prefer} header (RFC 7240) asks for {@code respond-async}: a job whatever the number of documents. */
  static boolean respondAsync(String prefer) {
    if (prefer == null) {
      return false;
    }
    for (String preference : prefer.split(",")) {
      if (preference.split(";", 2)[0].trim().equalsIgnoreCase("respond-async")) {
        return true;
      }
    }
    return false;
  }

  /** The uploaded files as documents (read asynchronously from the upload directory). */
  private Future<JsonArray> uploads(RoutingContext ctx) {
    List<FileUpload> files = ctx.fileUploads();
    if (files.isEmpty()) {
      throw ErrorCode.INVALID_REQUEST.exception("the multipart body has no file part");
    }
    String id = ctx.request().getFormAttribute("id");
    String title = ctx.request().getFormAttribute("title");
    if (id != null && files.size() > 1) {
      throw ErrorCode.INVALID_REQUEST.exception("form field 'id' names one document: upload one file, or omit it to use file names");
    }
    List<Future<JsonObject>> docs = new ArrayList<>();
    for (FileUpload file : files) {
      String contentType = file.contentType() == null || file.contentType().equals("application/octet-stream")
        ? byExtension(file.fileName()) : file.contentType();
      docs.add(vertx.fileSystem().readFile(file.uploadedFileName()).map(bytes -> new JsonObject()
        .put("id", id != null ? id : fileId(file.fileName())).put("title", title).put("contentType", contentType)
        .put("content", Base64.getEncoder().encodeToString(bytes.getBytes()))));
    }
    return Future.all(docs).map(all -> new JsonArray(all.list()));
  }

  private static JsonArray rawBody(RoutingContext ctx, String mediaType) {
    String id = ctx.queryParams().get("id");
    if (id == null) {
      throw ErrorCode.INVALID_REQUEST.exception("a raw upload needs ?id=<document id>");
    }
    byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    if (bytes.length == 0) {
      throw ErrorCode.INVALID_REQUEST.exception("the upload is empty");
    }
    return new JsonArray().add(new JsonObject().put("id", id).put("title", ctx.queryParams().get("title"))
      .put("contentType", mediaType).put("content", Base64.getEncoder().encodeToString(bytes)));
  }

  private void listDocuments(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, "kb:read");
    io.ganglion.http.Paging paging = io.ganglion.http.Paging.of(ctx);
    JsonObject request = new JsonObject().put("tenant", principal.tenant()).put("kb", ctx.pathParam("kb"))
      .put("limit", paging.limit());
    if (paging.after() != null) {
      request.put("after", paging.after());
    }
    Replies.forward(vertx, ctx, Addresses.local(Addresses.RETRIEVAL_DOCUMENT_LIST), request, busTimeoutMs, 200);
  }

  private void getDocument(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, "kb:read");
    Replies.forward(vertx, ctx, Addresses.local(Addresses.RETRIEVAL_DOCUMENT_GET), new JsonObject().put("tenant", principal.tenant())
      .put("kb", ctx.pathParam("kb")).put("documentId", ctx.pathParam("id")), busTimeoutMs, 200);
  }

  private void deleteDocument(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, "kb:write");
    vertx.eventBus().request(Addresses.local(Addresses.RETRIEVAL_DELETE), new JsonObject().put("tenant", principal.tenant())
        .put("kb", ctx.pathParam("kb")).put("documentId", ctx.pathParam("id")), Deadlines.within(busTimeoutMs))
      .onSuccess(reply -> ctx.response().setStatusCode(204).end())
      .onFailure(ctx::fail);
  }

  private void search(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, "kb:read");
    JsonObject body = JsonBodies.object(ctx).put("tenant", principal.tenant()).put("kb", ctx.pathParam("kb"));
    Replies.forward(vertx, ctx, Addresses.local(Addresses.RETRIEVAL_SEARCH), body, busTimeoutMs, 200);
  }

  private static int errorStatus(String slug) {
    for (ErrorCode code : ErrorCode.values()) {
      if (code.slug().equals(slug)) {
        return code.status();
      }
    }
    return 400;
  }

  /** A document id from a file name: its last path segment, unsafe characters replaced. */
  static String fileId(String fileName) {
    String base = fileName == null ? "" : fileName.replace('\\', '/');
    base = base.substring(base.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._:@~+=-]", "_");
    base = base.replaceFirst("^[^A-Za-z0-9]+", "");
    return base.isEmpty() ? "upload-" + System.nanoTime() : base.substring(0, Math.min(200, base.length()));
  }

  private static String byExtension(String fileName) {
    String name = fileName == null ? "" : fileName.toLowerCase();
    if (name.endsWith(".pdf")) {
      return "application/pdf";
    }
    if (name.endsWith(".md") || name.endsWith(".markdown")) {
      return "text/markdown";
    }
    if (name.endsWith(".html") || name.endsWith(".htm")) {
      return "text/html";
    }
    return name.endsWith(".txt") ? "text/plain" : "application/octet-stream";
  }
}
