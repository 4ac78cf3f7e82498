package io.ganglion.http.auth;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Requires {@code Authorization: Bearer <credential>} where the credential is an API key or a JWT, and attaches the
 * {@link Principal} ({@link Credentials} decides, with its cache and its stale keys while PostgreSQL is down). Missing
 * or invalid credentials fail the route with {@link ErrorCode#UNAUTHORIZED} (and an audit entry); a credential that
 * cannot be verified now with {@link ErrorCode#UNAVAILABLE}.
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {

  private final Credentials credentials;
  private final AuditLog audit;

  public BearerAuthHandler(Credentials credentials, AuditLog audit) {
    this.credentials = credentials;
    this.audit = audit;
  }

  /** Drops every cached credential of key {@code keyId} (on revocation, from any node). */
  public void forget(String keyId) {
    credentials.forget(keyId);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String credential = Credentials.bearer(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (credential == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      audit.authFailure(ctx, "missing bearer credential");
      ctx.fail(ErrorCode.UNAUTHORIZED.exception("missing bearer credential: send Authorization: Bearer <api key or JWT>"));
      return;
    }
    credentials.verify(credential).onComplete(ar -> {
      if (ar.succeeded()) {
        ar.result().attach(ctx);
        ctx.next();
        return;
      }
      if (ErrorCode.of(ar.cause()) != ErrorCode.UNAVAILABLE) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        audit.authFailure(ctx, ar.cause().getMessage());
      }
      ctx.fail(ar.cause());
    });
  }
}
