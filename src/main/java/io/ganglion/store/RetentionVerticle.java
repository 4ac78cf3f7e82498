package io.ganglion.store;

import io.ganglion.bus.MeterRegistries;
import io.ganglion.config.GanglionConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges rows older than their {@link RetentionRule}'s age every {@code retention.intervalMs} (first run one interval
 * after start, at most a minute). One node at a time: a run first takes a PostgreSQL session advisory lock, and a node
 * that cannot get it skips that run (the lock goes with the connection, so a node dying mid-purge frees it). Deletes
 * run in batches of {@code retention.batchSize} rows so no statement holds locks for long. Does nothing when every age
 * is 0 (the default).
 * <p>
 * Meters: {@code ganglion_retention_purged_rows_total{table}}, {@code ganglion_retention_runs_total{outcome=done|
 * skipped|failed}}. Runs on an event loop; every step is non-blocking SQL.
 */
public final class RetentionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);
  /** The advisory lock's key: "ganglion" in ASCII, so operators can spot it in {@code pg_locks}. */
  static final long LOCK_KEY = 0x67616e676c696f6eL;

  private RetentionConfig retention;
  private Pool pool;
  private MeterRegistry meters;
  private long timer = -1;
  private boolean running;

  @Override
  public Future<?> start() {
    retention = RetentionConfig.from(config().getJsonObject("retention"));
    if (!retention.enabled()) {
      LOG.info("retention off: every retention.*Days is 0, nothing is purged");
      return Future.succeededFuture();
    }
    pool = Stores.postgres(vertx, GanglionConfig.from(config()).postgres());
    meters = MeterRegistries.of(vertx);
    timer = vertx.setPeriodic(Math.min(retention.intervalMs(), 60_000), retention.intervalMs(), t -> purge());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  /** One purge run (skipped while the previous one is still running on this node). */
  Future<Void> purge() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    return pool.withConnection(conn -> conn.query("select pg_try_advisory_lock(" + LOCK_KEY + ")").execute()
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean(0)) {
            meters.counter("ganglion.retention.runs", "outcome", "skipped").increment();
            LOG.debug("retention: another node holds the purge lock");
            return Future.succeededFuture();
          }
          return purgeAll(conn).eventually(() -> conn.query("select pg_advisory_unlock(" + LOCK_KEY + ")").execute())
            .onSuccess(v -> meters.counter("ganglion.retention.runs", "outcome", "done").increment());
        }))
      .onFailure(e -> {
        meters.counter("ganglion.retention.runs", "outcome", "failed").increment();
        LOG.warn("retention purge failed (retried next interval): {}", e.getMessage());
      })
      .eventually(() -> {
        running = false;
        return Future.succeededFuture();
      });
  }

  private Future<Void> purgeAll(SqlConnection conn) {
    Future<Void> chain = Future.succeededFuture();
    for (RetentionRule rule : RetentionRule.ALL) {
      int days = retention.days().get(rule);
      if (days > 0) {
        chain = chain.compose(v -> purge(conn, rule, days));
      }
    }
    return chain;
  }

  private Future<Void> purge(SqlConnection conn, RetentionRule rule, int days) {
    return conn.preparedQuery("select to_regclass($1) is not null").execute(Tuple.of(rule.table()))
      .compose(rows -> rows.iterator().next().getBoolean(0) ? purgeBatches(conn, rule, days, 0) : Future.succeededFuture());
  }

  private Future<Void> purgeBatches(SqlConnection conn, RetentionRule rule, int days, long purgedSoFar) {
    return conn.preparedQuery(rule.deleteBatch()).execute(Tuple.of(days, retention.batchSize())).compose(rows -> {
      int deleted = rows.rowCount();
      meters.counter("ganglion.retention.purged.rows", "table", rule.table()).increment(deleted);
      if (deleted == retention.batchSize()) {
        return purgeBatches(conn, rule, days, purgedSoFar + deleted);
      }
      if (purgedSoFar + deleted > 0) {
        LOG.info("retention: purged {} rows of {} older than {} days", purgedSoFar + deleted, rule.table(), days);
      }
      return Future.succeededFuture();
    });
  }
}
