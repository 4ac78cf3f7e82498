package io.ganglion.generation.impl;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
    // an HTTP-date is measured from a fixed clock: the wall clock would move on while the test runs
    Clock now = Clock.fixed(Instant.parse("2025-03-14T09:26:53Z"), ZoneOffset.UTC);
    String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(now).plusSeconds(10));
    assertThat(RetryAfterHeader.parse(MultiMap.caseInsensitiveMultiMap().add("Retry-After", inTenSeconds), now))
      .isEqualTo(Duration.ofSeconds(10));
    String fiveSecondsAgo = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(now).minusSeconds(5));
    assertThat(RetryAfterHeader.parse(MultiMap.caseInsensitiveMultiMap().add("Retry-After", fiveSecondsAgo), now))
      .isEqualTo(Duration.ZERO);
    assertThat(RetryAfterHeader.parse(MultiMap.caseInsensitiveMultiMap().add("Retry-After", "soon"))).isNull();
    assertThat(RetryAfterHeader.parse(MultiMap.caseInsensitiveMultiMap())).isNull();
  }
}
