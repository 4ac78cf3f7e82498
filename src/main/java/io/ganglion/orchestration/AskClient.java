package io.ganglion.orchestration;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.AskStreams;
import io.ganglion.bus.Deadlines;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The one sender of {@code ganglion.orchestrator.ask} (the reflex layer's cache misses, and the HTTP edge when no
 * reflex verticle runs on its node, both go through it); any JVM service on the cluster may use it too.
 * <pre>
 * AskStreams.Subscription events = AskStreams.open(vertx, (event, data) -> ...);   // only to stream
 * events.ready().compose(v -> AskClient.ask(vertx, request, events.address(), 30_000))
 *   .eventually(events::close)
 *   .onSuccess(answer -> ...);
 * </pre>
 * The request is the {@code ganglion.orchestrator.ask} request ({@link AskRequest}); the reply the full answer, or a
 * failure with the orchestrator's code (verticles.md).
 */
public final class AskClient {

  private AskClient() {
  }

  /**
   * Sends {@code request} to {@code ganglion.orchestrator.ask}.
   *
   * @param stream    the stream address events go to ({@link AskStreams}), or {@code null} for a plain request/reply
   * @param timeoutMs deadline of the whole ask
   */
  public static Future<JsonObject> ask(Vertx vertx, JsonObject request, String stream, long timeoutMs) {
    DeliveryOptions options = Deadlines.within(timeoutMs);
    if (stream != null) {
      options.addHeader(AskStreams.STREAM_HEADER, stream);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.ORCHESTRATOR_ASK), request, options).map(Message::body);
  }
}
