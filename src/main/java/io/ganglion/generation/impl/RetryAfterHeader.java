package io.ganglion.generation.impl;

import io.vertx.core.MultiMap;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads how long an upstream asks us to wait: {@code retry-after-ms} (OpenAI, fractional milliseconds) first, then
 * {@code Retry-After} as delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 */
public final class RetryAfterHeader {

  private RetryAfterHeader() {
  }

  /** The requested wait, or {@code null} when there is none or it cannot be read. */
  public static Duration parse(MultiMap headers) {
    return parse(headers, Clock.systemUTC());
  }

  /** As {@link #parse(MultiMap)}, measuring an HTTP-date from {@code clock}'s now. */
  static Duration parse(MultiMap headers, Clock clock) {
    String millis = headers.get("retry-after-ms");
    if (millis != null) {
      try {
        return nonNegative(Duration.ofMillis((long) Double.parseDouble(millis.strip())));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    String value = headers.get("retry-after");
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return nonNegative(Duration.ofMillis((long) (Double.parseDouble(value.strip()) * 1000)));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return nonNegative(Duration.between(ZonedDateTime.now(clock.withZone(at.getZone())), at));
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
