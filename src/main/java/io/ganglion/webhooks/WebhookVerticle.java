package io.ganglion.webhooks;

import io.ganglion.bus.MeterRegistries;
import io.ganglion.config.GanglionConfig;
import io.ganglion.egress.EgressGuard;
import io.ganglion.store.Stores;
import io.ganglion.store.WebhookRepository;
import io.ganglion.webhooks.impl.Deliverer;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Delivers queued webhook events. Every node runs one; they share the queue in PostgreSQL. Each look claims up to
 * {@code webhooks.batchSize} due deliveries ({@code FOR UPDATE SKIP LOCKED}, so two nodes never take the same one) and
 * holds them for the attempt's deadline, POSTs each through the {@link EgressGuard} (the target checked again, now:
 * DNS may have changed since registration), records the attempt, and settles the delivery: delivered on a 2xx,
 * due again after a doubling backoff otherwise, failed after {@code webhooks.maxAttempts}. A full batch is followed
 * at once by another look; otherwise the next look is {@code webhooks.pollMs} later.
 * <p>
 * Nothing goes on the event bus. A stop stops claiming, lets attempts in flight finish (at most one attempt's
 * deadline) and hands back what this process still holds; a start hands back what a previous process of this node
 * held, so a restart never delays a delivery by the hold. A node that dies mid-attempt delays its deliveries by at
 * most the hold ({@code timeoutMs} + 5 s): delivery is at least once, receivers deduplicate by delivery id.
 * <p>
 * Meters: {@code ganglion_webhook_attempts_total{outcome=delivered|retry|failed}}. Runs on an event loop; every step is
 * non-blocking (name resolution runs on a worker thread, in the guard).
 */
public final class WebhookVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookVerticle.class);
  /** Beyond the attempt's deadline, how long a claim is held: recording the result needs a moment too. */
  private static final long HOLD_MARGIN_MS = 5_000;

  private WebhooksConfig config;
  private Pool pool;
  private HttpClient client;
  private WebhookRepository repository;
  private Deliverer deliverer;
  private String nodeId;
  private String owner;
  private long timer = -1;
  private boolean looking;
  private boolean stopping;
  private int inFlight;
  private Promise<Void> drained;
  private Future<java.util.List<WebhookRepository.Due>> claim = Future.succeededFuture(java.util.List.of());

  @Override
  public Future<?> start() {
    config = WebhooksConfig.from(config().getJsonObject("webhooks"));
    if (!config.enabled()) {
      LOG.info("webhook delivery off on this node (webhooks.enabled is false)");
      return Future.succeededFuture();
    }
    GanglionConfig global = GanglionConfig.from(config());
    pool = Stores.postgres(vertx, global.postgres());
    repository = new WebhookRepository(pool);
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) config.timeoutMs()),
      new PoolOptions().setHttp1MaxSize(config.concurrency()));
    EgressGuard guard = new EgressGuard(vertx, client, new EgressGuard.Policy(config.allowPrivateTargets(), host -> true));
    MeterRegistry meters = MeterRegistries.of(vertx);
    deliverer = new Deliverer(guard, config, meters);
    nodeId = global.cluster().nodeId();
    owner = nodeId + "/" + UUID.randomUUID();
    return handBack("claimed_by like $1 and claimed_by <> $2", Tuple.of(nodeId + "/%", owner))
      .onSuccess(n -> {
        if (n > 0) {
          LOG.info("{} webhook deliveries a previous process of {} held are due again", n, nodeId);
        }
        schedule(0);
      });
  }

  @Override
  public Future<?> stop() {
    if (pool == null) {
      return Future.succeededFuture();
    }
    stopping = true;
    vertx.cancelTimer(timer);
    drained = Promise.promise();
    // a claim still under way settles first (what it took is handed back below, unattempted)
    return claim.<Void>mapEmpty().otherwiseEmpty()
      .compose(v -> {
        if (inFlight == 0) {
          drained.tryComplete();
        }
        return drained.future();
      })
      .timeout(config.timeoutMs() + 1_000, java.util.concurrent.TimeUnit.MILLISECONDS)
      .recover(e -> Future.succeededFuture())
      .compose(v -> handBack("claimed_by = $1", Tuple.of(owner)).otherwise(0))
      .eventually(() -> Future.join(client.close(), pool.close()));
  }

  /** Makes deliveries held by the matching owners due now. */
  private Future<Integer> handBack(String owners, Tuple args) {
    return pool.preparedQuery("update webhook_deliveries set next_attempt_at = now(), claimed_by = null "
        + "where status = 'pending' and " + owners)
      .execute(args).map(rows -> rows.rowCount());
  }

  private void schedule(long delayMs) {
    if (stopping) {
      return;
    }
    vertx.cancelTimer(timer);
    timer = delayMs <= 0 ? vertx.setTimer(1, t -> look()) : vertx.setTimer(delayMs, t -> look());
  }

  /** One look at the queue: claim what this node has room for and attempt each. */
  private void look() {
    int room = Math.min(config.batchSize(), config.concurrency() - inFlight);
    if (stopping || looking || room <= 0) {
      return;
    }
    looking = true;
    claim = repository.claim(owner, room, config.timeoutMs() + HOLD_MARGIN_MS);
    claim.onComplete(ar -> looking = false)
      .onSuccess(due -> {
        if (stopping) {
          return; // handed back by stop()
        }
        due.forEach(this::attempt);
        // a full claim may have left more behind: look again at once, else at the next poll
        schedule(due.size() == room ? 0 : config.pollMs());
      })
      .onFailure(e -> {
        LOG.warn("could not claim webhook deliveries ({}); trying again in {} ms", e.toString(), config.pollMs());
        schedule(config.pollMs());
      });
  }

  private void attempt(WebhookRepository.Due due) {
    inFlight++;
    deliverer.attempt(due)
      .compose(result -> repository.record(due, owner, result.attempt(), result.delivered(), result.retryInMs()))
      .onFailure(e -> LOG.warn("could not record webhook delivery {} ({}); it is due again when its hold runs out",
        due.id(), e.toString()))
      .onComplete(ar -> {
        inFlight--;
        if (stopping) {
          if (inFlight == 0 && drained != null) {
            drained.tryComplete();
          }
        } else if (inFlight == config.concurrency() - 1) {
          schedule(0); // room again after a full house
        }
      });
  }
}
