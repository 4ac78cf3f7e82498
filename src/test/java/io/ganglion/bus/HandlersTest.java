package io.ganglion.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@ExtendWith(VertxExtension.class)
@DisplayName("One way to fail with codes: the decision table and the consumer helper")
class HandlersTest {

  /** A verticle-side exception that carries its code, as QueueFullException does. */
  static final class Full extends RuntimeException implements CodedFailure {
    Full() {
      super("the queue is full");
    }

    @Override
    public ErrorCode errorCode() {
      return ErrorCode.OVERLOADED;
    }
  }

  @Test
  @DisplayName("the table: coded failures by their code, bad arguments 400, refused connections 503, wrappers looked through")
  void table() {
    assertThat(ErrorCode.of(new Full())).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(ErrorCode.of(new CompletionException(new Full()))).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(ErrorCode.of(new IllegalArgumentException("bad"))).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(ErrorCode.of(new ConnectException("refused"))).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(ErrorCode.of(new CompletionException(ErrorCode.NOT_FOUND.exception("x")))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(ErrorCode.of(null)).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  @DisplayName("a consumer replies with its result, and fails with the table's code whether the action throws or fails")
  void replies(Vertx vertx) {
    consume(vertx, "test.handlers", body -> switch (body.getString("do")) {
      case "ok" -> Future.succeededFuture(new JsonObject().put("ok", true));
      case "throw" -> throw ErrorCode.NOT_FOUND.exception("no such thing");
      case "argument" -> throw new IllegalArgumentException("'k' must be positive");
      case "coded" -> Future.failedFuture(new Full());
      default -> Future.failedFuture(new IllegalStateException("secret internals"));
    });

    assertThat(ask(vertx, "ok").getBoolean("ok")).isTrue();
    assertFails(vertx, "throw", ErrorCode.NOT_FOUND, "no such thing");
    assertFails(vertx, "argument", ErrorCode.INVALID_REQUEST, "'k' must be positive");
    assertFails(vertx, "coded", ErrorCode.OVERLOADED, "the queue is full");
    assertFails(vertx, "bug", ErrorCode.INTERNAL, "internal error");
  }

  private static void consume(Vertx vertx, String address, Function<JsonObject, Future<JsonObject>> action) {
    vertx.eventBus().<JsonObject>consumer(address, Handlers.replying(action)).completion().await();
  }

  private static JsonObject ask(Vertx vertx, String what) {
    return vertx.eventBus().<JsonObject>request("test.handlers", new JsonObject().put("do", what), Deadlines.within(5000))
      .await().body();
  }

  private static void assertFails(Vertx vertx, String what, ErrorCode code, String message) {
    ReplyException e = catchThrowableOfType(ReplyException.class, () -> ask(vertx, what));
    assertThat(e.failureCode()).as(what).isEqualTo(code.code());
    assertThat(e.getMessage()).as(what).isEqualTo(message);
  }
}
