package io.ganglion.http.routes;

import io.ganglion.http.Paging;
import io.ganglion.http.Replies;
import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.auth.AuditLog;
import io.ganglion.http.auth.CidrSet;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.ganglion.store.ApiKeyRepository;
import io.ganglion.store.AuditRepository;
import io.ganglion.store.TenantRepository;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The admin API (scope {@code admin}): tenants ({@code POST}, and {@code GET /v1/admin/tenants} paged by id), API keys
 * and the audit log. A key is shown in clear only in the reply
 * that creates it. Revoking a key publishes {@link Addresses#HTTP_KEY_REVOKED} so every HTTP instance on every node
 * drops it from its credential cache at once.
 */
public final class AdminRoutes {

  static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  static final Pattern SCOPE = Pattern.compile("kb:read|kb:write|chat|admin|agents:write|webhooks:write|tools:\\*|tools:[a-zA-Z0-9_.-]{1,64}");

  private final Vertx vertx;
  private final TenantRepository tenants;
  private final ApiKeyRepository keys;
  private final AuditRepository auditRepository;
  private final AuditLog audit;

  public AdminRoutes(Vertx vertx, Pool postgres, AuditLog audit) {
    this.vertx = vertx;
    this.tenants = new TenantRepository(postgres);
    this.keys = new ApiKeyRepository(postgres);
    this.auditRepository = new AuditRepository(postgres);
    this.audit = audit;
  }

  public void mount(Router router) {
    router.post("/v1/admin/tenants").consumes("application/json").handler(this::createTenant);
    router.get("/v1/admin/tenants").handler(this::listTenants);
    router.post("/v1/admin/keys").consumes("application/json").handler(this::createKey);
    router.get("/v1/admin/keys").handler(this::listKeys);
    router.delete("/v1/admin/keys/:id").handler(this::revokeKey);
    router.get("/v1/admin/audit").handler(this::auditLog);
  }

  private void createTenant(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    String id = tenant(JsonBodies.requiredString(JsonBodies.object(ctx), "id"));
    tenants.create(id)
      .onSuccess(created -> {
        audit.record(ctx, "tenant.create", id, id, new JsonObject());
        Replies.json(ctx, 201, new JsonObject().put("id", id));
      })
      .onFailure(ctx::fail);
  }

  private void listTenants(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    Paging paging = Paging.of(ctx);
    // one more than the page: whether a next page exists
    tenants.list(paging.after(), paging.limit() + 1)
      .onSuccess(list -> {
        List<TenantRepository.Tenant> page = list.subList(0, Math.min(list.size(), paging.limit()));
        JsonArray items = new JsonArray();
        page.forEach(t -> items.add(new JsonObject().put("id", t.id()).put("createdAt", t.createdAt().toString())));
        Replies.json(ctx, 200, new JsonObject().put("tenants", items)
          .put("next", list.size() > paging.limit() ? page.get(page.size() - 1).id() : null));
      })
      .onFailure(ctx::fail);
  }

  private void createKey(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    JsonObject body = JsonBodies.object(ctx);
    String tenant = tenant(JsonBodies.requiredString(body, "tenant"));
    ApiKeyRepository.Grant grant = new ApiKeyRepository.Grant(tenant, body.getValue("name") instanceof String n ? n : "api",
      scopes(body.getValue("scopes")), positiveInt(body, "rpm"), positiveLong(body, "tokensPerDay"), expiresAt(body),
      allowCidrs(body.getValue("allowCidrs")));
    keys.insert(grant, ApiKeyRepository.newKey())
      .onSuccess(created -> {
        audit.record(ctx, "key.create", tenant, created.stored().id(),
          new JsonObject().put("scopes", new JsonArray(grant.scopes())).put("prefix", created.stored().displayPrefix()));
        Replies.json(ctx, 201, toJson(created.stored()).put("key", created.key()));
      })
      .onFailure(ctx::fail);
  }

  private void listKeys(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    String tenant = ctx.queryParams().get("tenant");
    Paging paging = Paging.of(ctx);
    // one more than the page: whether a next page exists
    keys.list(tenant == null || tenant.isBlank() ? null : tenant, paging.after(), paging.limit() + 1)
      .onSuccess(list -> {
        List<ApiKeyRepository.StoredKey> page = list.subList(0, Math.min(list.size(), paging.limit()));
        Replies.json(ctx, 200, new JsonObject().put("keys", new JsonArray(page.stream().map(AdminRoutes::toJson).toList()))
          .put("next", list.size() > paging.limit() ? page.get(page.size() - 1).id() : null));
      })
      .onFailure(ctx::fail);
  }

  private void revokeKey(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    String id = ctx.pathParam("id");
    keys.revoke(id)
      .onSuccess(revoked -> {
        if (revoked.isEmpty()) {
          ctx.fail(ErrorCode.NOT_FOUND.exception("no live API key with id '" + id + "'"));
          return;
        }
        vertx.eventBus().publish(Addresses.HTTP_KEY_REVOKED, new JsonObject().put("keyId", id));
        audit.record(ctx, "key.revoke", revoked.get().tenant(), id, new JsonObject());
        ctx.response().setStatusCode(204).end();
      })
      .onFailure(ctx::fail);
  }

  private void auditLog(RoutingContext ctx) {
    Scopes.require(ctx, Principal.ADMIN);
    String tenant = ctx.queryParams().get("tenant");
    int limit = 100;
    String raw = ctx.queryParams().get("limit");
    if (raw != null) {
      try {
        limit = Integer.parseInt(raw);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 1000) {
        throw ErrorCode.INVALID_REQUEST.exception("'limit' must be a whole number from 1 to 1000");
      }
    }
    auditRepository.recent(tenant == null || tenant.isBlank() ? null : tenant, limit)
      .onSuccess(events -> Replies.json(ctx, 200, new JsonObject().put("events", events)))
      .onFailure(ctx::fail);
  }

  private static String tenant(String id) {
    if (!TENANT.matcher(id).matches()) {
      throw ErrorCode.INVALID_REQUEST.exception("invalid tenant '" + id + "': use 1-63 lower-case letters, digits, '_' or '-'");
    }
    return id;
  }

  private static List<String> scopes(Object raw) {
    if (!(raw instanceof JsonArray array) || array.isEmpty()) {
      throw ErrorCode.INVALID_REQUEST.exception("'scopes' must be a non-empty list, e.g. [\"kb:read\",\"chat\"]");
    }
    List<String> scopes = new ArrayList<>();
    for (Object scope : array) {
      if (!(scope instanceof String s) || !SCOPE.matcher(s).matches()) {
        throw ErrorCode.INVALID_REQUEST.exception("unknown scope '" + scope + "': use kb:read, kb:write, chat, admin, agents:write, tools:<name> or tools:*");
      }
      if (!scopes.contains(s)) {
        scopes.add(s);
      }
    }
    return scopes;
  }

  private static Integer positiveInt(JsonObject body, String field) {
    Long value = positiveLong(body, field);
    if (value != null && value > Integer.MAX_VALUE) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + field + "' is too large");
    }
    return value == null ? null : value.intValue();
  }

  private static Long positiveLong(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + field + "' must be a positive whole number");
    }
    return n.longValue();
  }

  private static OffsetDateTime expiresAt(JsonObject body) {
    Object value = body.getValue("expiresAt");
    if (value == null) {
      return null;
    }
    try {
      OffsetDateTime at = OffsetDateTime.parse(value.toString());
      if (at.isBefore(OffsetDateTime.now())) {
        throw ErrorCode.INVALID_REQUEST.exception("'expiresAt' is in the past");
      }
      return at;
    } catch (DateTimeParseException e) {
      throw ErrorCode.INVALID_REQUEST.exception("'expiresAt' must be an ISO-8601 date-time with offset, e.g. 2030-01-01T00:00:00Z");
    }
  }

  /** {@code allowCidrs}: IPv4/IPv6 networks the key may be used from, normalised ({@code 10.0.0.0/8}). */
  private static List<String> allowCidrs(Object raw) {
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof JsonArray array) || array.stream().anyMatch(v -> !(v instanceof String))) {
      throw ErrorCode.INVALID_REQUEST.exception("'allowCidrs' must be a list of networks, e.g. [\"10.0.0.0/8\",\"2001:db8::/32\"]");
    }
    try {
      return CidrSet.parse(array.stream().map(String.class::cast).toList()).toStrings();
    } catch (IllegalArgumentException e) {
      throw ErrorCode.INVALID_REQUEST.exception("'allowCidrs': " + e.getMessage());
    }
  }

  private static JsonObject toJson(ApiKeyRepository.StoredKey key) {
    return new JsonObject().put("id", key.id()).put("tenant", key.tenant()).put("name", key.name())
      .put("prefix", key.displayPrefix()).put("scopes", new JsonArray(key.scopes()))
      .put("rpm", key.rpm()).put("tokensPerDay", key.tokensPerDay()).put("allowCidrs", new JsonArray(key.allowCidrs()))
      .put("createdAt", key.createdAt() == null ? null : key.createdAt().toString())
      .put("expiresAt", key.expiresAt() == null ? null : key.expiresAt().toString())
      .put("revokedAt", key.revokedAt() == null ? null : key.revokedAt().toString());
  }

}
