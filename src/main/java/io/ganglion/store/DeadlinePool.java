package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.TransactionPropagation;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collector;

/**
 * A pool whose statements and transactions fail as {@link ErrorCode#UNAVAILABLE} (5031: HTTP 503 with Retry-After)
 * when PostgreSQL has not answered within {@code postgres.queryTimeoutMs}, or no connection could be had in time. The PostgreSQL client
 * has no statement deadline of its own, and a connection caught in a network partition gets no error for as long as
 * TCP keeps it (many minutes): without this, requests would hang until their own deadline (504) and then keep pool
 * connections busy. A timed-out statement's connection stays busy until the answer or the connection's end; the pool's
 * own acquisition timeout ({@code postgres.connectTimeoutMs}) bounds the wait for another one.
 * {@link #withConnection} has no deadline: it serves long maintenance work (retention) that bounds its own statements.
 */
final class DeadlinePool implements Pool {

  private final Pool pool;
  private final long timeoutMs;

  DeadlinePool(Pool pool, long timeoutMs) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<SqlConnection> getConnection() {
    return pool.getConnection();
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return new DeadlineQuery<>(pool.query(sql));
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return new DeadlinePreparedQuery<>(pool.preparedQuery(sql));
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return new DeadlinePreparedQuery<>(pool.preparedQuery(sql, options));
  }

  @Override
  public <T> Future<T> withTransaction(Function<SqlConnection, Future<T>> function) {
    return within(pool.withTransaction(function));
  }

  @Override
  public <T> Future<T> withTransaction(TransactionPropagation propagation, Function<SqlConnection, Future<T>> function) {
    return within(pool.withTransaction(propagation, function));
  }

  @Override
  public <T> Future<T> withConnection(Function<SqlConnection, Future<T>> function) {
    return pool.withConnection(function);
  }

  @Override
  public int size() {
    return pool.size();
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }

  private <T> Future<T> within(Future<T> future) {
    return future.timeout(timeoutMs, TimeUnit.MILLISECONDS).recover(failure -> Future.failedFuture(
      failure instanceof java.util.concurrent.TimeoutException
        ? ErrorCode.UNAVAILABLE.exception("PostgreSQL did not answer within " + timeoutMs + " ms (postgres.queryTimeoutMs)")
        : StoreCache.unavailable(failure) && !(failure instanceof io.vertx.core.eventbus.ReplyException)
          ? ErrorCode.UNAVAILABLE.exception("PostgreSQL is unavailable: " + failure.getMessage())
          : failure));
  }

  private class DeadlineQuery<T> implements Query<T> {
    private final Query<T> query;

    DeadlineQuery(Query<T> query) {
      this.query = query;
    }

    @Override
    public Future<T> execute() {
      return within(query.execute());
    }

    @Override
    public <R> Query<SqlResult<R>> collecting(Collector<Row, ?, R> collector) {
      return new DeadlineQuery<>(query.collecting(collector));
    }

    @Override
    public <U> Query<RowSet<U>> mapping(Function<Row, U> mapper) {
      return new DeadlineQuery<>(query.mapping(mapper));
    }
  }

  private final class DeadlinePreparedQuery<T> implements PreparedQuery<T> {
    private final PreparedQuery<T> query;

    DeadlinePreparedQuery(PreparedQuery<T> query) {
      this.query = query;
    }

    @Override
    public Future<T> execute() {
      return within(query.execute());
    }

    @Override
    public Future<T> execute(Tuple tuple) {
      return within(query.execute(tuple));
    }

    @Override
    public Future<T> executeBatch(List<Tuple> batch) {
      return within(query.executeBatch(batch));
    }

    @Override
    public <R> PreparedQuery<SqlResult<R>> collecting(Collector<Row, ?, R> collector) {
      return new DeadlinePreparedQuery<>(query.collecting(collector));
    }

    @Override
    public <U> PreparedQuery<RowSet<U>> mapping(Function<Row, U> mapper) {
      return new DeadlinePreparedQuery<>(query.mapping(mapper));
    }
  }
}
