package io.ganglion.inference.llm.impl;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class RetryTimingTest {

  @Test
  @DisplayName("Backoff doubles per retry up to the cap and stays within [cap/2, cap]")
  void backoffBounds() {
    SplittableRandom random = new SplittableRandom(42);
    RetryBackoff backoff = new RetryBackoff(100, 1000, random::nextLong);

    for (int trial = 0; trial < 200; trial++) {
      assertThat(backoff.delayMs(0)).isBetween(50L, 100L);
      assertThat(backoff.delayMs(2)).isBetween(200L, 400L);
      assertThat(backoff.delayMs(10)).isBetween(500L, 1000L);
    }
  }

  @Test
  @DisplayName("Retry-After is read as retry-after-ms, delay-seconds or an HTTP-date")
  void retryAfterForms() {
    assertThat(RetryAfterHeader.parse(MultiMap.caseInsensitiveMultiMap().add("retry-after-ms", "1500.5")))
      .isEqualTo(Duration.ofMillis(1500));
    assertThat(RetryAfterHeader.parse(MultiMap.caseInsensitiveMultiMap().add("Retry-After", "2")))
      .isEqualTo(Duration.ofSeconds(2));
    String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));
    assertThat(RetryAfterHeader.parse(MultiMap.caseInsensitiveMultiMap().add("Retry-After", inTenSeconds)))
      .isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
    assertThat(RetryAfterHeader.parse(MultiMap.caseInsensitiveMultiMap().add("Retry-After", "soon"))).isNull();
    assertThat(RetryAfterHeader.parse(MultiMap.caseInsensitiveMultiMap())).isNull();
  }
}
