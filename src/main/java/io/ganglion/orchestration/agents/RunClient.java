package io.ganglion.orchestration.agents;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Starts or resumes a run over the bus ({@code ganglion.orchestrator.run.start} / {@code .run.approve}), optionally
 * streaming its events (see {@link RunStreams}). The HTTP routes use it; so can any JVM service on the cluster.
 * <pre>
 * RunClient.Call call = RunClient.send(vertx, Addresses.ORCHESTRATOR_RUN_START, request, 30_000, (event, data) -> ...);
 * call.reply().onSuccess(run -> ...);   // status running when it outlived the request's waitMs
 * call.cancel();                        // the client went away: the run is cancelled unless detached
 * </pre>
 * <b>NOTE</b>: call from a Vert.x context; events and the reply arrive on it.
 */
public final class RunClient {

  /** Receives stream events in order. */
  @FunctionalInterface
  public interface Listener {
    void onEvent(String event, JsonObject data);
  }

  /** A run request in flight. */
  public interface Call {
    Future<JsonObject> reply();

    void cancel();
  }

  private RunClient() {
  }

  /**
   * @param timeoutMs deadline of the request on the bus (keep it above the request's {@code waitMs})
   * @param listener  stream events, or {@code null}
   */
  public static Call send(Vertx vertx, String address, JsonObject request, long timeoutMs, Listener listener) {
    if (listener == null) {
      Future<JsonObject> reply = vertx.eventBus().<JsonObject>request(address, request, Deadlines.within(timeoutMs))
        .map(Message::body);
      return call(reply, () -> { });
    }
    String stream = RunStreams.STREAM_PREFIX + RequestIds.generate();
    MessageConsumer<JsonObject> events = vertx.eventBus().consumer(stream,
      msg -> listener.onEvent(msg.body().getString("event"), msg.body().getJsonObject("data")));
    Future<JsonObject> reply = events.completion()
      .compose(v -> vertx.eventBus().<JsonObject>request(address, request,
        Deadlines.within(timeoutMs).addHeader(RunStreams.STREAM_HEADER, stream)))
      .map(Message::body)
      .eventually(events::unregister);
    return call(reply, () -> vertx.eventBus().send(stream + RunStreams.CANCEL_SUFFIX, new JsonObject()));
  }

  /** {@link #send} to {@code ganglion.orchestrator.run.start}. */
  public static Call start(Vertx vertx, JsonObject request, long timeoutMs, Listener listener) {
    return send(vertx, Addresses.ORCHESTRATOR_RUN_START, request, timeoutMs, listener);
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
