package io.ganglion.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ganglion.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A cache in front of a PostgreSQL read that rides out outages: an entry is fresh for {@code fresh} (served without
 * asking), then re-read on use; when that read fails because PostgreSQL is unavailable (refused, unreachable, cut off,
 * shutting down, out of connections), the entry is served stale for up to {@code stale} from when it was last read.
 * Any other failure (not found, invalid) is the answer. So while PostgreSQL is up nothing is older than {@code fresh};
 * while it is down, what was known keeps working for a bounded time.
 * <p>
 * Thread-safe; futures complete on the caller's context (the load's).
 */
public final class StoreCache<K, V> {

  private record Entry<V>(V value, long readAtNanos) {
  }

  private final Cache<K, Entry<V>> entries;
  private final long freshNanos;
  private final long staleNanos;
  private final java.util.function.LongSupplier clock;

  public StoreCache(Duration fresh, Duration stale, long maxSize) {
    this(fresh, stale, maxSize, System::nanoTime);
  }

  StoreCache(Duration fresh, Duration stale, long maxSize, java.util.function.LongSupplier clock) {
    this.freshNanos = fresh.toNanos();
    this.staleNanos = Math.max(fresh.toNanos(), stale.toNanos());
    this.clock = clock;
    this.entries = Caffeine.newBuilder().maximumSize(maxSize).expireAfterWrite(Duration.ofNanos(staleNanos)).build();
  }

  /** A fresh entry without reading, or {@code null}. */
  public V fresh(K key) {
    Entry<V> e = entries.getIfPresent(key);
    return e != null && clock.getAsLong() - e.readAtNanos() < freshNanos ? e.value() : null;
  }

  /**
   * The value of {@code key}: fresh from the cache, else read with {@code load} (and cached when non-null), else, when
   * the read failed because PostgreSQL is unavailable, the stale entry if it is younger than the stale bound.
   */
  public Future<V> get(K key, Function<K, Future<V>> load) {
    Entry<V> e = entries.getIfPresent(key);
    long now = clock.getAsLong();
    if (e != null && now - e.readAtNanos() < freshNanos) {
      return Future.succeededFuture(e.value());
    }
    return load.apply(key).transform(ar -> {
      if (ar.succeeded()) {
        if (ar.result() != null) {
          entries.put(key, new Entry<>(ar.result(), clock.getAsLong()));
        }
        return Future.succeededFuture(ar.result());
      }
      Entry<V> stale = entries.getIfPresent(key);
      if (stale != null && unavailable(ar.cause()) && clock.getAsLong() - stale.readAtNanos() < staleNanos) {
        return Future.succeededFuture(stale.value());
      }
      return Future.failedFuture(ar.cause());
    });
  }

  public void put(K key, V value) {
    entries.put(key, new Entry<>(value, clock.getAsLong()));
  }

  public void invalidate(K key) {
    entries.invalidate(key);
  }

  /**
   * Makes every entry due for a re-read on its next use while keeping it as the outage fallback: something changed
   * somewhere, so nothing cached is fresh any more, yet what was known still beats failing while PostgreSQL is down.
   */
  public void staleAll() {
    entries.asMap().replaceAll((key, e) -> new Entry<>(e.value(), e.readAtNanos() - freshNanos));
  }

  /** Drops every entry whose value matches (a revoked key's credentials). */
  public void invalidateIf(Predicate<V> matches) {
    entries.asMap().values().removeIf(e -> matches.test(e.value()));
  }

  /** Whether {@code failure} means PostgreSQL could not be reached or could not serve: coded 5031, or {@link PgFailures}'s test. */
  public static boolean unavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ReplyException re && re.failureCode() == ErrorCode.UNAVAILABLE.code()) {
        return true;
      }
    }
    return PgFailures.unavailable(failure);
  }
}
