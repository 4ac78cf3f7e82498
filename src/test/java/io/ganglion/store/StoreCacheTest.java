package io.ganglion.store;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("StoreCache: reads that ride out PostgreSQL outages")
class StoreCacheTest {

  private final AtomicLong now = new AtomicLong();
  private final StoreCache<String, String> cache = new StoreCache<>(Duration.ofSeconds(5), Duration.ofHours(1), 100,
    now::get);
  private final AtomicInteger reads = new AtomicInteger();

  private Future<String> read(String key) {
    reads.incrementAndGet();
    return Future.succeededFuture(key + "-" + reads.get());
  }

  private static Future<String> down(String key) {
    return Future.failedFuture(ErrorCode.UNAVAILABLE.exception("PostgreSQL is unavailable"));
  }

  @Test
  @DisplayName("serves a fresh entry without reading, re-reads once it is not fresh, and serves it stale while the store is down")
  void freshThenStale() {
    assertThat(cache.get("kb", this::read).result()).isEqualTo("kb-1");
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(cache.get("kb", this::read).result()).isEqualTo("kb-1");
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(cache.get("kb", StoreCacheTest::down).result()).as("stale while down").isEqualTo("kb-1");
    assertThat(cache.get("kb", this::read).result()).isEqualTo("kb-2");
    assertThat(cache.get("other", StoreCacheTest::down).failed()).as("nothing known, nothing to serve").isTrue();
  }

  @Test
  @DisplayName("staleAll makes the next use re-read, yet keeps each entry as the fallback while the store is down")
  void staleAllKeepsFallback() {
    assertThat(cache.get("kb", this::read).result()).isEqualTo("kb-1");
    cache.staleAll();
    assertThat(cache.fresh("kb")).isNull();
    assertThat(cache.get("kb", StoreCacheTest::down).result()).isEqualTo("kb-1");
    assertThat(cache.get("kb", this::read).result()).isEqualTo("kb-2");
    assertThat(cache.fresh("kb")).isEqualTo("kb-2");
  }
}
