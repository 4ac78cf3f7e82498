package io.ganglion.http.routes;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.http.Replies;
import io.ganglion.http.SseStream;
import io.ganglion.http.auth.Principal;
import io.ganglion.http.auth.Scopes;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Ingestion jobs ({@code kb:read}): {@code GET /v1/jobs/{id}} answers the job as it is; {@code GET /v1/jobs/{id}/events}
 * streams it as Server-Sent Events — {@code event: progress} with the job as it is now, one for each later slice, then
 * {@code event: done}, and the stream ends.
 * <p>
 * The stream lasts as long as the job (it is exempt from {@code http.requestTimeoutMs}, with a heartbeat). Each event
 * carries an {@code id:} — the documents processed so far for {@code progress}, {@code done} for the last — and the
 * stream starts with {@code retry:}. A client that reconnects with {@code Last-Event-ID} gets only what is newer than
 * that id: the job's current progress (which counts everything it missed) and {@code done} once the job has finished;
 * one that already saw {@code done} gets 204, which tells an {@code EventSource} to stop reconnecting.
 */
public final class JobRoutes {

  /** The id of the {@code done} event. */
  static final String DONE_ID = "done";
  /** Reconnection delay a client is asked to wait ({@code retry:}). */
  static final long RETRY_MS = 1_000;

  private final Vertx vertx;
  private final long busTimeoutMs;
  private final long heartbeatMs;

  public JobRoutes(Vertx vertx, long busTimeoutMs, long heartbeatMs) {
    this.vertx = vertx;
    this.busTimeoutMs = busTimeoutMs;
    this.heartbeatMs = heartbeatMs;
  }

  public void mount(Router router) {
    router.get("/v1/jobs/:id").handler(this::get);
    router.get("/v1/jobs/:id/events").handler(this::events);
    router.delete("/v1/jobs/:id").handler(this::cancel);
  }

  private void get(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, KbRoutes.READ);
    Replies.forward(vertx, ctx, Addresses.local(Addresses.RETRIEVAL_JOB_GET),
      new JsonObject().put("tenant", principal.tenant()).put("id", ctx.pathParam("id")), busTimeoutMs, 200);
  }

  /** Cancels a running model change ({@code kb:write}): 204; 404 when no model change of that id is running. */
  private void cancel(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, KbRoutes.WRITE);
    vertx.eventBus().request(Addresses.local(Addresses.RETRIEVAL_JOB_CANCEL),
        new JsonObject().put("tenant", principal.tenant()).put("id", ctx.pathParam("id")), Deadlines.within(busTimeoutMs))
      .onSuccess(reply -> ctx.response().setStatusCode(204).end())
      .onFailure(ctx::fail);
  }

  /**
   * Subscribes to the job's progress before reading its state, so nothing published in between is lost: progress
   * that arrives first is held, and whichever of it and the stored state is further along goes out first.
   */
  private void events(RoutingContext ctx) {
    Principal principal = Scopes.require(ctx, KbRoutes.READ);
    String id = ctx.pathParam("id");
    Feed feed = new Feed(ctx, lastEventId(ctx.request().getHeader("Last-Event-ID")));
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.retrievalJob(id), msg -> feed.next(msg.body()));
    feed.consumer = consumer;
    consumer.completion()
      .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.RETRIEVAL_JOB_GET),
        new JsonObject().put("tenant", principal.tenant()).put("id", id), Deadlines.within(busTimeoutMs)))
      .map(Message::body)
      .onSuccess(feed::start)
      .onFailure(failure -> {
        consumer.unregister();
        ctx.fail(failure);
      });
  }

  /** The count of processed documents a reconnecting client has seen; -1 for none, {@link Integer#MAX_VALUE} after done. */
  static int lastEventId(String header) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    if (header.trim().equals(DONE_ID)) {
      return Integer.MAX_VALUE;
    }
    try {
      return Integer.parseInt(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static int processed(JsonObject job) {
    return job.getInteger("done", 0) + job.getInteger("failed", 0);
  }

  private static boolean finished(JsonObject job) {
    String status = job.getString("status", "");
    return status.equals("done") || status.equals("failed");
  }

  /** Whichever of two states of a job is further along; {@code b} may be null. */
  private static JsonObject furthest(JsonObject a, JsonObject b) {
    if (b == null || finished(a) && !finished(b)) {
      return a;
    }
    return finished(b) && !finished(a) || processed(b) > processed(a) ? b : a;
  }

  /** One client's stream of one job. Event-loop confined. */
  private final class Feed {

    private final RoutingContext ctx;
    private MessageConsumer<JsonObject> consumer;
    private SseStream sse;
    /** Progress published before the stored state was read; the newest only, since each counts all before it. */
    private JsonObject early;
    private int sent;
    /** The {@code waiting} of the last progress sent (why the job waits for room), null when it did not wait. */
    private Object waiting;
    private boolean ended;

    Feed(RoutingContext ctx, int lastSeen) {
      this.ctx = ctx;
      this.sent = lastSeen;
    }

    void start(JsonObject stored) {
      JsonObject job = furthest(stored, early);
      early = null;
      if (ctx.response().closed()) {
        ended = true;
        consumer.unregister();
        return;
      }
      if (finished(job) && sent == Integer.MAX_VALUE) {
        consumer.unregister();
        ended = true;
        ctx.response().setStatusCode(204).end();
        return;
      }
      sse = SseStream.open(vertx, ctx, heartbeatMs).onClose(consumer::unregister);
      sse.retry(RETRY_MS);
      if (processed(job) > sent) {
        progress(job);
      }
      if (finished(job)) {
        done(job);
      }
    }

    void next(JsonObject event) {
      if (ended) {
        return;
      }
      if (sse == null) {
        early = furthest(event, early);
      } else if (finished(event)) {
        done(event);
      } else if (processed(event) > sent || !java.util.Objects.equals(event.getValue("waiting"), waiting)) {
        progress(event);
      }
    }

    private void progress(JsonObject job) {
      sent = processed(job);
      waiting = job.getValue("waiting");
      sse.event(String.valueOf(sent), "progress", job);
    }

    private void done(JsonObject job) {
      ended = true;
      sse.event(DONE_ID, "done", job);
      consumer.unregister();
      sse.end();
    }
  }
}
