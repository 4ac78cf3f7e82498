package io.ganglion.http.auth;

import io.ganglion.bus.ErrorCode;
import io.ganglion.store.ApiKeyRepository;
import io.ganglion.store.StoreCache;
import io.vertx.core.Future;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Set;

/**
 * Turns a bearer credential (an API key or a JWT) into its {@link Principal}: the one check behind HTTP
 * ({@link BearerAuthHandler}) and the TCP event-bus bridge.
 * <p>
 * Verified API keys are remembered for {@code http.keyCacheSeconds} so the hot path does not query PostgreSQL on every
 * request; then they are verified again. While PostgreSQL is unavailable, a key verified in the last
 * {@code http.keyStaleSeconds} keeps working (its expiry still applies); a key not verified in that window gets 503.
 * Revocation through the API reaches every node at once ({@link #forget}, on {@code ganglion.http.key.revoked}); a key
 * revoked behind the server's back (directly in the database) is refused within {@code http.keyCacheSeconds} while
 * PostgreSQL is up, and may be accepted for up to {@code http.keyStaleSeconds} after its last verification while
 * PostgreSQL is down.
 * <p>
 * Fails 4010 for a credential that is not valid, and 5031 when it cannot be verified now (a store failure is no
 * verdict on the credential).
 */
public final class Credentials {

  private record VerifiedKey(Principal principal, OffsetDateTime expiresAt) {
  }

  private final ApiKeyRepository keys;
  private final JwtVerifier jwt;
  private final StoreCache<String, VerifiedKey> verified;

  public Credentials(ApiKeyRepository keys, JwtVerifier jwt, Duration fresh, Duration stale) {
    this.keys = keys;
    this.jwt = jwt;
    this.verified = new StoreCache<>(fresh, stale, 10_000);
  }

  /** The principal of {@code credential}. */
  public Future<Principal> verify(String credential) {
    VerifiedKey cached = verified.fresh(credential);
    if (cached != null && usable(cached)) {
      return Future.succeededFuture(cached.principal());
    }
    Future<Principal> principal = JwtVerifier.looksLikeJwt(credential) ? jwt.verify(credential) : apiKey(credential);
    return principal.recover(failure -> StoreCache.unavailable(failure)
      || !(failure instanceof io.vertx.core.eventbus.ReplyException)
      ? Future.failedFuture(ErrorCode.UNAVAILABLE.exception("cannot verify credentials right now"))
      : Future.failedFuture(failure));
  }

  /** The credential of an {@code Authorization} value ({@code Bearer <credential>}), or null when it is not one. */
  public static String bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
      return null;
    }
    return header.substring(7).trim();
  }

  /** Drops every cached credential of key {@code keyId} (on revocation, from any node). */
  public void forget(String keyId) {
    verified.invalidateIf(v -> keyId.equals(v.principal().keyId()));
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
