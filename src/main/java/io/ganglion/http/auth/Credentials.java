package io.ganglion.http.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ganglion.bus.ErrorCode;
import io.ganglion.store.ApiKeyRepository;
import io.vertx.core.Future;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Set;

/**
 * Turns a bearer credential (an API key or a JWT) into its {@link Principal}: the one check behind HTTP
 * ({@link BearerAuthHandler}) and the TCP event-bus bridge. Verified API keys are remembered for
 * {@value #CACHE_SECONDS} s so the hot path does not query PostgreSQL on every request; a revocation
 * ({@code ganglion.http.key.revoked}, published to every node) drops them at once ({@link #forget}).
 * <p>
 * Fails 4010 for a credential that is not valid, and 5031 when the key store cannot be asked (a store failure is no
 * verdict on the credential).
 */
public final class Credentials {

  static final int CACHE_SECONDS = 30;

  private final ApiKeyRepository keys;
  private final JwtVerifier jwt;
  private final Cache<String, Principal> verified = Caffeine.newBuilder()
    .maximumSize(10_000)
    .expireAfterWrite(Duration.ofSeconds(CACHE_SECONDS))
    .build();

  public Credentials(ApiKeyRepository keys, JwtVerifier jwt) {
    this.keys = keys;
    this.jwt = jwt;
  }

  /** The principal of {@code credential}. */
  public Future<Principal> verify(String credential) {
    Principal cached = verified.getIfPresent(credential);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    Future<Principal> principal = JwtVerifier.looksLikeJwt(credential) ? jwt.verify(credential) : apiKey(credential);
    return principal.recover(failure -> Future.failedFuture(failure instanceof io.vertx.core.eventbus.ReplyException
      ? failure : ErrorCode.UNAVAILABLE.exception("cannot verify credentials right now")));
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
    verified.asMap().values().removeIf(p -> keyId.equals(p.keyId()));
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
