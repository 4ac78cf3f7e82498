package io.ganglion.http.auth;

import io.ganglion.bus.ErrorCode;
import io.ganglion.store.ApiKeyRepository;
import io.ganglion.store.StoreCache;
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
 * Verified API keys are remembered for {@code http.keyCacheSeconds} so the hot path does not query PostgreSQL on every
 * request; then they are verified again. While PostgreSQL is unavailable, a key verified in the last
 * {@code http.keyStaleSeconds} keeps working (its expiry still applies); a key not verified in that window gets 503.
 * Revocation through the API reaches every node at once ({@link #forget}); a key revoked behind the server's back
 * (directly in the database) is refused within {@code http.keyCacheSeconds} while PostgreSQL is up, and may be
 * accepted for up to {@code http.keyStaleSeconds} after its last verification while PostgreSQL is down.
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {

  private record VerifiedKey(Principal principal, OffsetDateTime expiresAt) {
  }

  private final ApiKeyRepository keys;
  private final JwtVerifier jwt;
  private final AuditLog audit;
  private final StoreCache<String, VerifiedKey> verified;

  public BearerAuthHandler(ApiKeyRepository keys, JwtVerifier jwt, AuditLog audit, Duration fresh, Duration stale) {
    this.keys = keys;
    this.jwt = jwt;
    this.audit = audit;
    this.verified = new StoreCache<>(fresh, stale, 10_000);
  }

  /** Drops every cached credential of key {@code keyId} (on revocation, from any node). */
  public void forget(String keyId) {
    verified.invalidateIf(v -> keyId.equals(v.principal().keyId()));
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
    VerifiedKey cached = verified.fresh(credential);
    if (cached != null && usable(cached)) {
      cached.principal().attach(ctx);
      ctx.next();
      return;
    }
    Future<Principal> principal = JwtVerifier.looksLikeJwt(credential) ? jwt.verify(credential) : apiKey(credential);
    principal.onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().attach(ctx);
        ctx.next();
      } else {
        // a store failure (not a verdict on the credential) must not read as 401, nor leak its message
        boolean unverifiable = StoreCache.unavailable(ar.cause())
          || !(ar.cause() instanceof io.vertx.core.eventbus.ReplyException);
        if (unverifiable) {
          ctx.fail(ErrorCode.UNAVAILABLE.exception("cannot verify credentials right now"));
          return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        audit.authFailure(ctx, ar.cause().getMessage());
        ctx.fail(ar.cause());
      }
    });
  }

  private Future<Principal> apiKey(String key) {
    if (key.length() > 256) {
      return Future.failedFuture(ErrorCode.UNAUTHORIZED.exception("invalid API key"));
    }
    return verified.get(key, k -> keys.verify(k).compose(found -> {
      if (found.isEmpty() || !found.get().usable(OffsetDateTime.now())) {
        return Future.failedFuture(ErrorCode.UNAUTHORIZED.exception("invalid, expired or revoked API key"));
      }
      ApiKeyRepository.StoredKey stored = found.get();
      return Future.succeededFuture(new VerifiedKey(new Principal("key:" + stored.id(), stored.tenant(),
        Set.copyOf(stored.scopes()), stored.id(), stored.rpm(), stored.tokensPerDay(), CidrSet.parse(stored.allowCidrs())),
        stored.expiresAt()));
    })).compose(v -> usable(v) ? Future.succeededFuture(v.principal())
      : Future.failedFuture(ErrorCode.UNAUTHORIZED.exception("invalid, expired or revoked API key")));
  }

  private static boolean usable(VerifiedKey key) {
    return key.expiresAt() == null || key.expiresAt().isAfter(OffsetDateTime.now());
  }
}
