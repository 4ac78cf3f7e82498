package io.ganglion.http.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ganglion.bus.ErrorCode;
import io.ganglion.store.ApiKeyRepository;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Set;

/**
 * Requires {@code Authorization: Bearer <credential>} where the credential is an API key or a JWT, and attaches the
 * {@link Principal}. Missing or invalid credentials fail the route with {@link ErrorCode#UNAUTHORIZED}.
 * <p>
 * Verified API keys are remembered for {@value #CACHE_SECONDS} s so the hot path does not query PostgreSQL on every
 * request; a revocation therefore takes effect on this node within that window.
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {

  static final int CACHE_SECONDS = 30;

  private final ApiKeyRepository keys;
  private final JwtVerifier jwt;
  private final AuditLog audit;
  private final Cache<String, Principal> verified = Caffeine.newBuilder()
    .maximumSize(10_000)
    .expireAfterWrite(Duration.ofSeconds(CACHE_SECONDS))
    .build();

  public BearerAuthHandler(ApiKeyRepository keys, JwtVerifier jwt, AuditLog audit) {
    this.keys = keys;
    this.jwt = jwt;
    this.audit = audit;
  }

  /** Drops every cached credential of key {@code keyId} (on revocation, from any node). */
  public void forget(String keyId) {
    verified.asMap().values().removeIf(p -> keyId.equals(p.keyId()));
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      audit.authFailure(ctx, "missing bearer credential");
      ctx.fail(ErrorCode.UNAUTHORIZED.exception("missing bearer credential: send Authorization: Bearer <api key or JWT>"));
      return;
    }
    String credential = header.substring(7).trim();
    Principal cached = verified.getIfPresent(credential);
    if (cached != null) {
      cached.attach(ctx);
      ctx.next();
      return;
    }
    Future<Principal> principal = JwtVerifier.looksLikeJwt(credential) ? jwt.verify(credential) : apiKey(credential);
    principal.onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().attach(ctx);
        ctx.next();
      } else {
        ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        audit.authFailure(ctx, ar.cause().getMessage());
        // a store failure (not a verdict on the credential) must not read as 401, nor leak its message
        ctx.fail(!(ar.cause() instanceof io.vertx.core.eventbus.ReplyException)
          ? ErrorCode.UNAVAILABLE.exception("cannot verify credentials right now")
          : ar.cause());
      }
    });
  }

  private Future<Principal> apiKey(String key) {
    if (key.length() > 256) {
      return Future.failedFuture(ErrorCode.UNAUTHORIZED.exception("invalid API key"));
    }
    return keys.verify(key).compose(found -> {
      if (found.isEmpty() || !found.get().usable(OffsetDateTime.now())) {
        return Future.failedFuture(ErrorCode.UNAUTHORIZED.exception("invalid, expired or revoked API key"));
      }
      ApiKeyRepository.StoredKey stored = found.get();
      Principal p = new Principal("key:" + stored.id(), stored.tenant(), Set.copyOf(stored.scopes()), stored.id(),
        stored.rpm(), stored.tokensPerDay());
      verified.put(key, p);
      return Future.succeededFuture(p);
    });
  }
}
