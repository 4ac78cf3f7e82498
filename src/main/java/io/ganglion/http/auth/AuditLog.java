package io.ganglion.http.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ganglion.bus.RequestIds;
import io.ganglion.store.AuditRepository;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;

/**
 * Records security events to the audit log with the request id, principal and source address. Writes are
 * fire-and-forget (a failed write is logged, never fails the request). Authentication failures are recorded at most
 * once per source address per {@value #AUTH_FAILURE_WINDOW_SECONDS} s, so a flood of bad credentials cannot flood the
 * table.
 */
public final class AuditLog {

  static final int AUTH_FAILURE_WINDOW_SECONDS = 10;

  private final AuditRepository repository;
  private final Cache<String, Boolean> recentAuthFailures = Caffeine.newBuilder()
    .maximumSize(10_000)
    .expireAfterWrite(Duration.ofSeconds(AUTH_FAILURE_WINDOW_SECONDS))
    .build();

  public AuditLog(AuditRepository repository) {
    this.repository = repository;
  }

  /** Records an action by the request's principal on {@code target}, a resource of {@code tenant}. */
  public void record(RoutingContext ctx, String action, String tenant, String target, JsonObject detail) {
    Principal principal = Principal.of(ctx);
    write(new AuditRepository.Event(RequestIds.current(), principal == null ? null : principal.subject(),
      tenant, action, target, source(ctx), detail));
  }

  /** Records a failed authentication, rate-limited per source address. */
  public void authFailure(RoutingContext ctx, String reason) {
    String source = source(ctx);
    if (recentAuthFailures.asMap().putIfAbsent(String.valueOf(source), Boolean.TRUE) != null) {
      return;
    }
    write(new AuditRepository.Event(RequestIds.current(), null, null, "auth.failure", ctx.request().path(), source,
      new JsonObject().put("reason", reason)));
  }

  private void write(AuditRepository.Event event) {
    repository.record(event);
  }

  /** The client's address: behind a trusted proxy, the one it forwarded ({@link ClientAddress}). */
  private static String source(RoutingContext ctx) {
    return ClientAddress.describe(ctx);
  }
}
