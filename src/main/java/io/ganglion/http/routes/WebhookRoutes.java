package io.ganglion.http.routes;

import io.ganglion.bus.ErrorCode;
import io.ganglion.egress.EgressGuard;
import io.ganglion.egress.EgressRefusedException;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.Paging;
import io.ganglion.http.Replies;
import io.ganglion.http.auth.AuditLog;
import io.ganglion.http.auth.Principal;
import io.ganglion.store.WebhookEvent;
import io.ganglion.store.WebhookRepository;
import io.ganglion.webhooks.WebhooksConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * A tenant's webhooks (scope {@code webhooks:write}, or {@code admin}; each credential sees its own tenant's only):
 * <ul>
 *   <li>{@code POST /v1/webhooks {"url","events":[...],"secret"?}}: 201 with the webhook (and {@code "secret"} when the
 *   server generated it — the only time it is shown). The URL is checked through the egress guard: a host that does
 *   not resolve or resolves to a non-public address is a 400 unless {@code webhooks.allowPrivateTargets}.</li>
 *   <li>{@code GET /v1/webhooks} (paged), {@code GET /v1/webhooks/{id}}, {@code DELETE /v1/webhooks/{id}} (204; its
 *   queued deliveries are dropped).</li>
 *   <li>{@code POST /v1/webhooks/{id}/rotate {"secret"?,"graceSeconds"?}}: the new secret signs from now on; the old
 *   one keeps signing beside it for {@code graceSeconds} (default 86400, 0 = replaced at once).</li>
 *   <li>{@code GET /v1/webhooks/{id}/deliveries} (paged, newest first): every delivery with its attempts.</li>
 * </ul>
 */
public final class WebhookRoutes {

  static final String WEBHOOKS_WRITE = "webhooks:write";
  static final long DEFAULT_GRACE_SECONDS = 86_400;
  private static final int MIN_SECRET = 16;
  private static final int MAX_SECRET = 256;
  private static final int MAX_URL = 2048;
  private static final Set<String> CREATE_FIELDS = Set.of("url", "events", "secret");
  private static final Set<String> ROTATE_FIELDS = Set.of("secret", "graceSeconds");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final WebhookRepository webhooks;
  private final EgressGuard guard;
  private final WebhooksConfig config;
  private final AuditLog audit;

  public WebhookRoutes(Vertx vertx, Pool postgres, WebhooksConfig config, AuditLog audit) {
    this.webhooks = new WebhookRepository(postgres);
    // registration only checks targets (EgressGuard.check); the client is never used for a request here
    this.guard = new EgressGuard(vertx, vertx.createHttpClient(),
      new EgressGuard.Policy(config.allowPrivateTargets(), host -> true));
    this.config = config;
    this.audit = audit;
  }

  public void mount(Router router) {
    router.post("/v1/webhooks").consumes("application/json").handler(this::create);
    router.get("/v1/webhooks").handler(this::list);
    router.get("/v1/webhooks/:id").handler(ctx -> found(ctx, webhooks.get(tenant(ctx), id(ctx)), w -> w.toJson()));
    router.delete("/v1/webhooks/:id").handler(this::delete);
    router.post("/v1/webhooks/:id/rotate").handler(this::rotate);
    router.get("/v1/webhooks/:id/deliveries").handler(this::deliveries);
  }

  private void create(RoutingContext ctx) {
    String tenant = tenant(ctx);
    JsonObject body = JsonBodies.object(ctx);
    unknownFields(body, CREATE_FIELDS);
    URI url = url(body.getValue("url"));
    List<String> events = events(body.getValue("events"));
    boolean generated = body.getValue("secret") == null;
    String secret = generated ? newSecret() : secret(body.getValue("secret"));
    guard.check(url)
      .recover(e -> Future.failedFuture(e instanceof EgressRefusedException
        ? ErrorCode.INVALID_REQUEST.exception("'url' is refused: " + e.getMessage()) : e))
      .compose(target -> webhooks.create(tenant, url.toString(), events, secret, config.maxPerTenant()))
      .compose(stored -> stored.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
        ErrorCode.CONFLICT.exception("this tenant already has " + config.maxPerTenant() + " webhooks, the most "
          + "webhooks.maxPerTenant allows; delete one first"))))
      .onSuccess(created -> {
        audit.record(ctx, "webhook.create", tenant, created.id().toString(),
          new JsonObject().put("url", created.url()).put("events", new JsonArray(events)));
        JsonObject reply = created.toJson();
        if (generated) {
          reply.put("secret", secret);
        }
        Replies.json(ctx, 201, reply);
      })
      .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    String tenant = tenant(ctx);
    Paging paging = Paging.of(ctx);
    UUID after = paging.after() == null ? null : uuid(paging.after(), "after");
    webhooks.list(tenant, after, paging.limit() + 1)
      .onSuccess(list -> {
        List<WebhookRepository.Webhook> page = list.subList(0, Math.min(list.size(), paging.limit()));
        Replies.json(ctx, 200, new JsonObject()
          .put("webhooks", new JsonArray(page.stream().map(WebhookRepository.Webhook::toJson).toList()))
          .put("next", list.size() > paging.limit() ? page.get(page.size() - 1).id().toString() : null));
      })
      .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String tenant = tenant(ctx);
    UUID id = id(ctx);
    webhooks.delete(tenant, id)
      .onSuccess(deleted -> {
        if (!deleted) {
          ctx.fail(notFound(ctx));
          return;
        }
        audit.record(ctx, "webhook.delete", tenant, id.toString(), new JsonObject());
        ctx.response().setStatusCode(204).end();
      })
      .onFailure(ctx::fail);
  }

  private void rotate(RoutingContext ctx) {
    String tenant = tenant(ctx);
    UUID id = id(ctx);
    JsonObject body = ctx.body().length() > 0 ? JsonBodies.object(ctx) : new JsonObject();
    unknownFields(body, ROTATE_FIELDS);
    boolean generated = body.getValue("secret") == null;
    String secret = generated ? newSecret() : secret(body.getValue("secret"));
    long grace = DEFAULT_GRACE_SECONDS;
    Object raw = body.getValue("graceSeconds");
    if (raw != null) {
      if (!(raw instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 0
        || n.longValue() > config.maxGraceSeconds()) {
        throw ErrorCode.INVALID_REQUEST.exception("'graceSeconds' must be a whole number from 0 to "
          + config.maxGraceSeconds() + " (webhooks.maxGraceSeconds)");
      }
      grace = n.longValue();
    }
    long graceSeconds = Math.min(grace, config.maxGraceSeconds());
    found(ctx, webhooks.rotate(tenant, id, secret, graceSeconds), rotated -> {
      audit.record(ctx, "webhook.rotate", tenant, id.toString(), new JsonObject().put("graceSeconds", graceSeconds));
      JsonObject reply = rotated.toJson();
      if (generated) {
        reply.put("secret", secret);
      }
      return reply;
    });
  }

  private void deliveries(RoutingContext ctx) {
    String tenant = tenant(ctx);
    UUID id = id(ctx);
    Paging paging = Paging.of(ctx);
    UUID after = paging.after() == null ? null : uuid(paging.after(), "after");
    webhooks.get(tenant, id)
      .compose(webhook -> webhook.isEmpty() ? Future.failedFuture(notFound(ctx))
        : webhooks.deliveries(id, after, paging.limit() + 1))
      .onSuccess(list -> {
        List<JsonObject> page = list.subList(0, Math.min(list.size(), paging.limit()));
        Replies.json(ctx, 200, new JsonObject().put("deliveries", new JsonArray(new ArrayList<>(page)))
          .put("next", list.size() > paging.limit() ? page.get(page.size() - 1).getString("id") : null));
      })
      .onFailure(ctx::fail);
  }

  private <T> void found(RoutingContext ctx, Future<Optional<T>> lookup, Function<T, JsonObject> reply) {
    lookup.onSuccess(found -> found.ifPresentOrElse(value -> Replies.json(ctx, 200, reply.apply(value)),
        () -> ctx.fail(notFound(ctx))))
      .onFailure(ctx::fail);
  }

  private static RuntimeException notFound(RoutingContext ctx) {
    return ErrorCode.NOT_FOUND.exception("no webhook '" + ctx.pathParam("id") + "'");
  }

  /** The caller's tenant, if it may manage webhooks; 403 otherwise. */
  private static String tenant(RoutingContext ctx) {
    Principal principal = Principal.of(ctx);
    if (principal == null || !principal.has(WEBHOOKS_WRITE)) {
      throw ErrorCode.FORBIDDEN.exception("this credential lacks the 'webhooks:write' (or 'admin') scope");
    }
    return principal.tenant();
  }

  /** The path's webhook id; one that is not a UUID names no webhook (404). */
  private static UUID id(RoutingContext ctx) {
    try {
      return UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      throw ErrorCode.NOT_FOUND.exception("no webhook '" + ctx.pathParam("id") + "'");
    }
  }

  private static UUID uuid(String value, String field) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + field + "' must be the 'next' of a previous page");
    }
  }

  private static void unknownFields(JsonObject body, Set<String> known) {
    for (String field : body.fieldNames()) {
      if (!known.contains(field)) {
        throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + field + "'; expected "
          + String.join(", ", known.stream().sorted().toList()));
      }
    }
  }

  static URI url(Object value) {
    if (!(value instanceof String text) || text.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'url' is required: the http or https URL deliveries are POSTed to");
    }
    if (text.length() > MAX_URL) {
      throw ErrorCode.INVALID_REQUEST.exception("'url' is longer than " + MAX_URL + " characters");
    }
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw ErrorCode.INVALID_REQUEST.exception("'url' is not a valid URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw ErrorCode.INVALID_REQUEST.exception("'url' must be an absolute http or https URL with a host, got '" + text + "'");
    }
    if (uri.getRawUserInfo() != null) {
      throw ErrorCode.INVALID_REQUEST.exception("'url' must not carry credentials; authenticate deliveries by their signature");
    }
    if (uri.getRawFragment() != null) {
      throw ErrorCode.INVALID_REQUEST.exception("'url' must not have a fragment");
    }
    return uri;
  }

  static List<String> events(Object value) {
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw ErrorCode.INVALID_REQUEST.exception("'events' is required: a non-empty list of " + WebhookEvent.names());
    }
    Set<String> events = new LinkedHashSet<>();
    for (Object event : array) {
      if (!(event instanceof String name) || WebhookEvent.of(name).isEmpty()) {
        throw ErrorCode.INVALID_REQUEST.exception("unknown event '" + event + "' in 'events'; known: " + WebhookEvent.names());
      }
      events.add(name);
    }
    return List.copyOf(events);
  }

  static String secret(Object value) {
    if (!(value instanceof String secret) || secret.length() < MIN_SECRET || secret.length() > MAX_SECRET
      || !secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw ErrorCode.INVALID_REQUEST.exception("'secret' must be " + MIN_SECRET + " to " + MAX_SECRET
        + " printable ASCII characters without spaces (or left out: the server generates one)");
    }
    return secret;
  }

  /** 32 random bytes, URL-safe Base64, with a prefix that says what it is. */
  static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
