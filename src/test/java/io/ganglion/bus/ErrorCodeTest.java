package io.ganglion.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The error-code table")
class ErrorCodeTest {

  @Test
  @DisplayName("codes and slugs are unique, slugs are snake_case")
  void unique() {
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::code)).doesNotHaveDuplicates();
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::slug)).doesNotHaveDuplicates().allMatch(s -> s.matches("[a-z_]+"));
  }

  @Test
  @DisplayName("recipient failures map by code, bus timeouts to 504, missing handlers to 503, the rest to 500")
  void classification() {
    assertThat(ErrorCode.of(ErrorCode.CONFLICT.exception("x"))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(ErrorCode.of(new ReplyException(ReplyFailure.TIMEOUT, "t"))).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(ErrorCode.of(new ReplyException(ReplyFailure.NO_HANDLERS, "n"))).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(ErrorCode.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 1, "odd"))).isEqualTo(ErrorCode.INTERNAL);
    assertThat(ErrorCode.of(new TimeoutException())).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(ErrorCode.of(new IllegalStateException())).isEqualTo(ErrorCode.INTERNAL);
    assertThat(ErrorCode.OVERLOADED.status()).isEqualTo(503);
    assertThat(ErrorCode.RATE_LIMITED.status()).isEqualTo(429);
  }

  @Test
  @DisplayName("a full disk (ENOSPC) is 503 unavailable, another I/O error is still a 500")
  void diskFull() {
    assertThat(ErrorCode.of(new java.io.IOException("No space left on device"))).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(ErrorCode.of(new java.io.UncheckedIOException(new java.io.IOException("No space left on device"))))
      .isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(ErrorCode.diskFull(new RuntimeException(new java.io.IOException("No space left on device")))).isTrue();
    assertThat(ErrorCode.of(new java.io.IOException("Broken pipe"))).isEqualTo(ErrorCode.INTERNAL);
    assertThat(ErrorCode.REQUEST_TIMEOUT.status()).isEqualTo(408);
  }
}
