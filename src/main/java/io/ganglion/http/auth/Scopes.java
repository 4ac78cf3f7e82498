package io.ganglion.http.auth;

import io.ganglion.bus.ErrorCode;
import io.vertx.ext.web.RoutingContext;

/** Scope checks for routes: a missing scope is a 403 {@code forbidden}. */
public final class Scopes {

  private Scopes() {
  }

  /** The caller's principal, if it holds {@code scope}; throws a {@code forbidden} failure otherwise. */
  public static Principal require(RoutingContext ctx, String scope) {
    Principal principal = Principal.of(ctx);
    if (principal == null || !principal.has(scope)) {
      throw ErrorCode.FORBIDDEN.exception("this credential lacks the '" + scope + "' scope");
    }
    return principal;
  }
}
