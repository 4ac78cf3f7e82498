package io.ganglion.http;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The body deadline is mounted only when it can fire before the request's own budget")
class BodyDeadlineTest {

  @Test
  @DisplayName("below http.requestTimeoutMs it is needed; at or above it (the defaults: 60 s and 30 s) the request's 504 comes first")
  void neededOnlyBelowTheRequestBudget() {
    assertThat(new BodyDeadline(1_500, 30_000).needed()).isTrue();
    assertThat(new BodyDeadline(30_000, 30_000).needed()).isFalse();
    assertThat(new BodyDeadline(60_000, 30_000).needed()).isFalse();
  }
}
