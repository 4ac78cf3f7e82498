package io.ganglion.orchestration;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Calls {@code ganglion.orchestrator.ask}, optionally streaming (see {@link AskStreams}). The HTTP routes use it; so
 * can any JVM service on the cluster.
 * <pre>
 * AskClient.Call call = AskClient.ask(vertx, request, 30_000, (event, data) -> ...);
 * call.reply().onSuccess(answer -> ...);
 * call.cancel();   // e.g. when the client went away
 * </pre>
 * <b>NOTE</b>: call from a Vert.x context; events and the reply arrive on it.
 */
public final class AskClient {

  /** Receives stream events in order: {@code step}, {@code token}, {@code citation}. */
  @FunctionalInterface
  public interface Listener {
    void onEvent(String event, JsonObject data);
  }

  /** An ask in flight. */
  public interface Call {
    /** The full answer; fails with the orchestrator's code (see verticles.md). */
    Future<JsonObject> reply();

    /** Asks the orchestrator to stop; the reply then fails. Only a streaming call can be cancelled. */
    void cancel();
  }

  private AskClient() {
  }

  /**
   * @param timeoutMs deadline of the whole ask
   * @param listener  stream events, or {@code null} for a plain request/reply
   */
  public static Call ask(Vertx vertx, JsonObject request, long timeoutMs, Listener listener) {
    if (listener == null) {
      Future<JsonObject> reply = vertx.eventBus().<JsonObject>request(Addresses.ORCHESTRATOR_ASK, request,
        Deadlines.within(timeoutMs)).map(Message::body);
      return call(reply, () -> { });
    }
    String address = AskStreams.STREAM_PREFIX + RequestIds.generate();
    MessageConsumer<JsonObject> events = vertx.eventBus().consumer(address,
      msg -> listener.onEvent(msg.body().getString("event"), msg.body().getJsonObject("data")));
    Future<JsonObject> reply = events.completion()
      .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.ORCHESTRATOR_ASK, request,
        Deadlines.within(timeoutMs).addHeader(AskStreams.STREAM_HEADER, address)))
      .map(Message::body)
      .eventually(events::unregister);
    return call(reply, () -> vertx.eventBus().send(address + AskStreams.CANCEL_SUFFIX, new JsonObject()));
  }

  private static Call call(Future<JsonObject> reply, Runnable cancel) {
    return new Call() {
      @Override
      public Future<JsonObject> reply() {
        return reply;
      }

      @Override
      public void cancel() {
        cancel.run();
      }
    };
  }
}
