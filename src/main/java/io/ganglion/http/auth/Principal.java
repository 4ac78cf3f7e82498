package io.ganglion.http.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/**
 * Who is calling: the authenticated subject of an API key or JWT, the tenant whose data it may touch, and its scopes
 * ({@code kb:read}, {@code kb:write}, {@code chat}, {@code admin}, {@code tools:<name>}). Routes read it with
 * {@link #of(RoutingContext)}; verticles receive it as {@link #toJson()} in the request body.
 *
 * @param keyId        the API key id, or {@code null} for a JWT
 * @param rpm          requests per minute allowed, or {@code null} for the configured default
 * @param tokensPerDay generation tokens per day allowed, or {@code null} for the configured default
 * @param allowCidrs   the networks an API key may be used from (empty = anywhere the global allowlist lets in)
 */
public record Principal(String subject, String tenant, Set<String> scopes, String keyId, Integer rpm, Long tokensPerDay,
                        CidrSet allowCidrs) {

  /** A principal without an address restriction of its own (JWTs, keys without {@code allowCidrs}). */
  public Principal(String subject, String tenant, Set<String> scopes, String keyId, Integer rpm, Long tokensPerDay) {
    this(subject, tenant, scopes, keyId, rpm, tokensPerDay, CidrSet.empty());
  }

  public static final String ADMIN = "admin";
  private static final String CONTEXT_KEY = "ganglion.principal";

  /** Whether this principal holds {@code scope}; {@code admin} holds every scope. */
  public boolean has(String scope) {
    return scopes.contains(scope) || scopes.contains(ADMIN);
  }

  public JsonObject toJson() {
    return new JsonObject().put("subject", subject).put("tenant", tenant)
      .put("scopes", new JsonArray(scopes.stream().sorted().toList())).put("keyId", keyId)
      .put("rpm", rpm).put("tokensPerDay", tokensPerDay);
  }

  /** Whether this is an admin credential (rate-limit policy and audit treat admins apart). */
  public boolean admin() {
    return scopes.contains(ADMIN);
  }

  public void attach(RoutingContext ctx) {
    ctx.put(CONTEXT_KEY, this);
  }

  /** The principal the auth handler attached; routes under {@code /v1} always have one. */
  public static Principal of(RoutingContext ctx) {
    return ctx.get(CONTEXT_KEY);
  }
}
