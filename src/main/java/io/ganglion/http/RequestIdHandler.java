package io.ganglion.http;

import io.ganglion.bus.RequestIds;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * First handler of every route: adopts the client's {@code X-Request-Id} when it is well formed (else makes one),
 * binds it to the request's context for logs and event-bus hops, echoes it in the response, and sets the security
 * headers every response carries.
 */
public final class RequestIdHandler implements Handler<RoutingContext> {

  public static final String HEADER = "X-Request-Id";

  @Override
  public void handle(RoutingContext ctx) {
    String id = ctx.request().getHeader(HEADER);
    if (!RequestIds.valid(id)) {
      id = RequestIds.generate();
    }
    RequestIds.bind(id);
    HttpServerResponse response = ctx.response();
    response.putHeader(HEADER, id)
      .putHeader("X-Content-Type-Options", "nosniff")
      .putHeader("X-Frame-Options", "DENY");
    if (ctx.request().path().startsWith("/v1/")) {
      response.putHeader("Cache-Control", "no-store");
    }
    ctx.next();
  }
}
