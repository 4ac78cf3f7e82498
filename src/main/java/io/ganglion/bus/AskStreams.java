package io.ganglion.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * The streaming protocol of {@code ganglion.orchestrator.ask} (and of {@code ganglion.reflex.ask}, which speaks it
 * too): a wire protocol beside {@link Addresses}, used by the HTTP edge, the reflex layer and the orchestrator.
 * <p>
 * The caller registers a consumer on an address of its own ({@link #open}) and sends the ask with that address in the
 * {@value #STREAM_HEADER} header. While answering, the orchestrator sends it events
 * {@code {"event":"step"|"token"|"citation","data":{...}}} in order, then replies to the ask itself with the full
 * answer (or fails it). To cancel, the caller sends anything to the stream address plus {@value #CANCEL_SUFFIX}; the
 * orchestrator stops at its next step and abandons a generation in flight.
 */
public final class AskStreams {

  /** Event-bus header naming the address stream events go to. */
  public static final String STREAM_HEADER = "x-ask-stream";
  /** Appended to the stream address: where a cancel is sent. */
  public static final String CANCEL_SUFFIX = ".cancel";
  /** Prefix of stream addresses made by {@link #open}. */
  public static final String STREAM_PREFIX = "ganglion.orchestrator.stream.";

  public static final String STEP = "step";
  public static final String TOKEN = "token";
  public static final String CITATION = "citation";

  /** Receives stream events in order: {@code step}, {@code token}, {@code citation}. */
  @FunctionalInterface
  public interface Listener {
    void onEvent(String event, JsonObject data);
  }

  /**
   * The caller's end of one stream: its address (for the {@value #STREAM_HEADER} header), ready once the consumer is
   * registered; {@link #close} when the ask has answered.
   */
  public static final class Subscription {

    private final Vertx vertx;
    private final MessageConsumer<JsonObject> consumer;

    private Subscription(Vertx vertx, MessageConsumer<JsonObject> consumer) {
      this.vertx = vertx;
      this.consumer = consumer;
    }

    public String address() {
      return consumer.address();
    }

    /** Completes when events sent to {@link #address()} reach the listener. */
    public Future<Void> ready() {
      return consumer.completion();
    }

    /** Asks the answering side to stop (the ask then fails); see {@link #CANCEL_SUFFIX}. */
    public void cancel() {
      vertx.eventBus().send(address() + CANCEL_SUFFIX, new JsonObject());
    }

    /** Stops listening. */
    public Future<Void> close() {
      return consumer.unregister();
    }
  }

  private AskStreams() {
  }

  /**
   * Registers a consumer for {@code listener} on a fresh stream address. <b>NOTE</b>: call from a Vert.x context;
   * events arrive on it.
   */
  public static Subscription open(Vertx vertx, Listener listener) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(STREAM_PREFIX + RequestIds.generate(),
      msg -> listener.onEvent(msg.body().getString("event"), msg.body().getJsonObject("data")));
    return new Subscription(vertx, consumer);
  }

  /** The body of one stream event. */
  public static JsonObject event(String event, JsonObject data) {
    return new JsonObject().put("event", event).put("data", data);
  }
}
