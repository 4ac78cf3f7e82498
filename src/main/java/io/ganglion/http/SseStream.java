package io.ganglion.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A Server-Sent Events response. The status line and headers go out with the first write, so a request refused before
 * anything was produced still gets a plain JSON error with its status. While open, a {@code : ping} comment is written
 * whenever the stream was silent for the heartbeat interval (proxies close idle connections). {@link #onClose} runs
 * once when the client goes away before {@link #end()}. A stream is sent uncompressed (a deflater would hold events
 * back) and is exempt from the request timeout ({@link RequestTimeout}): it ends by its own deadline or when its
 * producer is done.
 * <p>
 * <b>NOTE</b>: use on the request's event loop only.
 */
public final class SseStream {

  private final Vertx vertx;
  private final RoutingContext ctx;
  private final HttpServerResponse response;
  private final long timer;
  private long lastWrite = System.nanoTime();
  private boolean ended;
  private Runnable onClose = () -> { };

  private SseStream(Vertx vertx, RoutingContext ctx, long heartbeatMs) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.response = ctx.response();
    this.timer = vertx.setPeriodic(Math.max(50, heartbeatMs / 2), id -> {
      if (System.nanoTime() - lastWrite >= heartbeatMs * 1_000_000) {
        write(": ping\n\n");
      }
    });
    response.closeHandler(v -> closed());
    RequestTimeout.exempt(ctx);
  }

  public static SseStream open(Vertx vertx, RoutingContext ctx, long heartbeatMs) {
    return new SseStream(vertx, ctx, heartbeatMs);
  }

  /** Runs {@code action} when the client disconnects before the stream ended. */
  public SseStream onClose(Runnable action) {
    this.onClose = action;
    return this;
  }

  /** Whether nothing has been written yet (a failure can still be a plain HTTP error). */
  public boolean unstarted() {
    return !response.headWritten();
  }

  /** {@code event: <name>} with {@code data: <json>}. */
  public void event(String name, JsonObject data) {
    write("event: " + name + "\ndata: " + data.encode() + "\n\n");
  }

  /** {@code id: <id>}, {@code event: <name>} with {@code data: <json>}: a client that reconnects sends the id back. */
  public void event(String id, String name, JsonObject data) {
    write("id: " + id + "\nevent: " + name + "\ndata: " + data.encode() + "\n\n");
  }

  /** {@code retry: <ms>}: how long a client that lost the stream should wait before reconnecting. */
  public void retry(long ms) {
    write("retry: " + ms + "\n\n");
  }

  /** A nameless event, {@code data: <payload>} (the OpenAI stream format). */
  public void data(String payload) {
    write("data: " + payload + "\n\n");
  }

  /**
   * Ends the stream after a failure: when nothing was written yet, the request fails as a plain HTTP error (the error
   * contract, with its status); otherwise {@code writeError} writes the error contract's body into the stream (an
   * {@code error} event, or a nameless {@code data:} line for the OpenAI format) before the stream ends.
   */
  public void fail(Throwable failure, java.util.function.Consumer<JsonObject> writeError) {
    if (unstarted()) {
      end();
      ctx.fail(failure);
    } else {
      writeError.accept(io.ganglion.http.ErrorResponder.body(failure));
      end();
    }
  }

  /** Ends the stream; when nothing was written the response is left for the caller to answer otherwise. */
  public void end() {
    if (!ended) {
      ended = true;
      vertx.cancelTimer(timer);
      if (response.headWritten() && !response.ended() && !response.closed()) {
        response.end();
      }
    }
  }

  private void write(String frame) {
    if (ended || response.closed()) {
      return;
    }
    if (!response.headWritten()) {
      response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        // compressed SSE would sit in the deflater's buffer: send it as is
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
        .putHeader("X-Accel-Buffering", "no");
    }
    lastWrite = System.nanoTime();
    response.write(frame);
  }

  private void closed() {
    if (!ended) {
      ended = true;
      vertx.cancelTimer(timer);
      onClose.run();
    }
  }
}
