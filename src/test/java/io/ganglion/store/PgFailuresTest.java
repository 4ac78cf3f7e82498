package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("PgFailures: which PostgreSQL failures carry a code")
class PgFailuresTest {

  private static int code(Throwable failure) {
    Throwable classified = PgFailures.classify(failure, "exists");
    return classified instanceof ReplyException re ? re.failureCode() : -1;
  }

  private static PgException pg(String state) {
    return new PgException("boom", "ERROR", state, null);
  }

  @Test
  @DisplayName("a unique violation is 4090 with the caller's message")
  void uniqueViolation() {
    assertThat(code(pg("23505"))).isEqualTo(ErrorCode.CONFLICT.code());
    assertThat(PgFailures.classify(pg("23505"), "knowledge base 'x' already exists")).hasMessage("knowledge base 'x' already exists");
  }

  @Test
  @DisplayName("refused or lost connections, a shutting-down server, too many connections, a full disk and no pool connection in time are 5031")
  void unavailable() {
    assertThat(code(new ConnectException("Connection refused"))).isEqualTo(ErrorCode.UNAVAILABLE.code());
    assertThat(code(new RuntimeException("wrapped", new ConnectException("refused")))).isEqualTo(ErrorCode.UNAVAILABLE.code());
    assertThat(code(ClosedConnectionException.INSTANCE)).isEqualTo(ErrorCode.UNAVAILABLE.code());
    assertThat(code(pg("57P01"))).isEqualTo(ErrorCode.UNAVAILABLE.code());
    assertThat(code(pg("08006"))).isEqualTo(ErrorCode.UNAVAILABLE.code());
    assertThat(code(pg("53300"))).isEqualTo(ErrorCode.UNAVAILABLE.code());
    assertThat(code(pg("53100"))).as("disk full").isEqualTo(ErrorCode.UNAVAILABLE.code());
    assertThat(code(new io.vertx.core.impl.NoStackTraceThrowable("Timeout"))).isEqualTo(ErrorCode.UNAVAILABLE.code());
  }

  @Test
  @DisplayName("any other failure passes unchanged")
  void others() {
    PgException foreignKey = pg("23503");
    assertThat(PgFailures.classify(foreignKey, "exists")).isSameAs(foreignKey);
    IllegalStateException bug = new IllegalStateException("bug");
    assertThat(PgFailures.classify(bug, "exists")).isSameAs(bug);
  }
}
