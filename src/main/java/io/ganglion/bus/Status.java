package io.ganglion.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The status address every verticle registers ({@code ganglion.<verticle>.status}): request {@code {}}, reply
 * {@code {"verticle","status":"UP", ...detail}}. {@code /ready} asks each one.
 */
public final class Status {

  private Status() {
  }

  /**
   * Registers the status consumer, node-local ({@code /ready} asks this node's verticles, never another node's); the
   * future completes when it is registered.
   */
  public static Future<Void> register(Vertx vertx, String address, String verticle, java.util.function.Supplier<JsonObject> detail) {
    return vertx.eventBus().<JsonObject>localConsumer(address, msg ->
      msg.reply(new JsonObject().put("verticle", verticle).put("status", "UP").mergeIn(detail.get()))).completion();
  }
}
