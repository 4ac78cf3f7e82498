package io.ganglion.inference;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.LocalCodec;
import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.List;

/**
 * The one client of {@code ganglion.inference.embed} (retrieval's search and ingestion, the orchestrator's extractive
 * generator and {@code POST /v1/embeddings} all embed through it), in the shape of a Vert.x service proxy: typed
 * methods over the bus, the wire unchanged.
 * <p>
 * {@link #create} sends to the node-local twin {@code ganglion.inference.embed.local} first: the request and the reply
 * are records passed by reference ({@link LocalCodec}), so hundreds of float vectors are neither boxed into JSON nor
 * copied. Without an inference verticle on this node it sends the JSON request to {@code ganglion.inference.embed},
 * which any node (or a bridge client) answers. {@link #overJson} always does the latter.
 * <p>
 * Failures keep the inference verticle's codes (4000, 4040, 4130, 5030 overloaded, 5031 shutting down); a bus timeout
 * is 5040. <b>NOTE</b>: call from a Vert.x context; the reply arrives on it.
 */
public final class EmbedClient {

  private final Vertx vertx;
  private final boolean local;

  private EmbedClient(Vertx vertx, boolean local) {
    this.vertx = vertx;
    this.local = local;
    if (local) {
      registerCodecs(vertx);
    }
  }

  /** A client that prefers this node's inference verticle, by reference. */
  public static EmbedClient create(Vertx vertx) {
    return new EmbedClient(vertx, true);
  }

  /** A client that always sends JSON to the public address (as another node or a bridge client does). */
  public static EmbedClient overJson(Vertx vertx) {
    return new EmbedClient(vertx, false);
  }

  /** Registers the local codecs of {@link EmbedRequest} and {@link EmbedReply}; idempotent. */
  public static void registerCodecs(Vertx vertx) {
    LocalCodec.register(vertx.eventBus(), EmbedRequest.class);
    LocalCodec.register(vertx.eventBus(), EmbedReply.class);
  }

  /**
   * Embeds {@code request} within {@code timeoutMs}. The request carries its absolute deadline
   * ({@link Deadlines#DEADLINE_HEADER}): if it is still queued when the deadline passes, inference drops it instead of
   * running it for a caller that gave up.
   */
  public Future<EmbedReply> embed(EmbedRequest request, long timeoutMs) {
    if (!local) {
      return json(request, timeoutMs);
    }
    return vertx.eventBus().<EmbedReply>request(Addresses.INFERENCE_EMBED_LOCAL, request,
        Deadlines.withDeadline(Deadlines.localWithin(timeoutMs), timeoutMs))
      .map(Message::body)
      .recover(failure -> failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
        ? json(request, timeoutMs) : Future.failedFuture(failure));
  }

  /**
   * One vector per text of {@code texts}, in order, from the default model.
   *
   * @param kind {@code QUERY} for questions, {@code PASSAGE} for document text (asymmetric models embed them differently)
   */
  public Future<List<float[]>> vectors(List<String> texts, TextKind kind, long timeoutMs) {
    return vectors(EmbedRequest.of(texts, kind), timeoutMs);
  }

  /** One vector per text of {@code request}, in order. */
  public Future<List<float[]>> vectors(EmbedRequest request, long timeoutMs) {
    int texts = request.texts().size();
    return embed(request, timeoutMs).compose(reply -> reply.vectors().size() == texts
      ? Future.succeededFuture(reply.vectors())
      : Future.failedFuture(ErrorCode.INTERNAL.exception("embed replied " + reply.vectors().size() + " vectors for "
        + texts + " texts")));
  }

  private Future<EmbedReply> json(EmbedRequest request, long timeoutMs) {
    return vertx.eventBus().<io.vertx.core.json.JsonObject>request(Addresses.INFERENCE_EMBED, request.toJson(),
        Deadlines.withDeadline(Deadlines.within(timeoutMs), timeoutMs))
      .map(msg -> EmbedReply.fromJson(msg.body()));
  }
}
