package io.ganglion.http;

import io.ganglion.bus.Deadlines;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON responses, and the common route shape "ask the owning verticle, answer with its reply". */
public final class Replies {

  private Replies() {
  }

  /** Ends the response with {@code body} as JSON and {@code status}. */
  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  /**
   * Sends {@code request} to {@code address} with a deadline (also in the {@link Deadlines#DEADLINE_HEADER}, so a
   * recipient that queues work can refuse what it could not finish in time) and answers the reply as JSON with {@code status}; a bus
   * failure fails the route (the error contract, by the failure's code).
   */
  public static void forward(Vertx vertx, RoutingContext ctx, String address, JsonObject request, long timeoutMs,
                             int status) {
    vertx.eventBus().<JsonObject>request(address, request, Deadlines.withDeadline(Deadlines.within(timeoutMs), timeoutMs))
      .map(Message::body)
      .onSuccess(reply -> json(ctx, status, reply))
      .onFailure(ctx::fail);
  }
}
