package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * How a PostgreSQL failure reaches a repository's caller: as a coded bus failure when it means something to the
 * client. A unique violation is {@link ErrorCode#CONFLICT} (4090); PostgreSQL unreachable (refused, or no connection within
 * {@code postgres.connectTimeoutMs}), shutting down, out of connections or a connection lost mid-query is {@link ErrorCode#UNAVAILABLE} (5031, so HTTP answers 503 with
 * Retry-After); anything else passes unchanged. Every repository method ends with {@code .recover(PgFailures::coded)}
 * (or {@link #conflict} where a conflict has a better message).
 */
public final class PgFailures {

  /** SQLSTATE of a unique violation. */
  static final String UNIQUE_VIOLATION = "23505";

  private PgFailures() {
  }

  /** {@link #coded} with {@code message} for a unique violation. */
  public static <T> Function<Throwable, Future<T>> conflict(String message) {
    return failure -> Future.failedFuture(classify(failure, message));
  }

  /** Fails with the failure's code when it has one (see the class comment), else with the failure itself. */
  public static <T> Future<T> coded(Throwable failure) {
    return Future.failedFuture(classify(failure, "already exists"));
  }

  static Throwable classify(Throwable failure, String conflictMessage) {
    if (failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
      return ErrorCode.CONFLICT.exception(conflictMessage);
    }
    if (unavailable(failure)) {
      return ErrorCode.UNAVAILABLE.exception("PostgreSQL is unavailable: " + failure.getMessage());
    }
    return failure;
  }

  /**
   * Whether {@code failure} means PostgreSQL could not be reached or could not serve (rather than an answer): refused,
   * connection lost, no answer in time, no connection from the pool in time, or SQLSTATE class 08 (connection), 57P0x
   * (shutting down, cannot connect now) or 53 (out of disk, memory or connections).
   */
  public static boolean unavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException || t instanceof ClosedConnectionException || t instanceof TimeoutException) {
        return true;
      }
      // the pool's "no connection within postgres.connectTimeoutMs" failure has no type of its own
      if (t instanceof io.vertx.core.impl.NoStackTraceThrowable && "Timeout".equals(t.getMessage())) {
        return true;
      }
      if (t instanceof PgException pg && pg.getSqlState() != null) {
        String state = pg.getSqlState();
        if (state.startsWith("08") || state.startsWith("57P0") || state.startsWith("53")) {
          return true;
        }
      }
    }
    return false;
  }
}
