package io.ganglion.http.auth;

import io.ganglion.bus.RequestIds;
import io.ganglion.store.AuditRepository;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Audit entries for requests refused by an IP allowlist, aggregated: one row per (address, minute, allowlist), written
 * when the first refusal of that minute happens and brought up to date with the count every
 * {@value #FLUSH_MS} ms while more arrive, so a flood of refused requests writes a handful of rows, not one per
 * request. At most {@value #MAX_ADDRESSES_PER_MINUTE} addresses get their own row per minute; refusals from further
 * addresses in that minute are counted in one row with source {@code *}. Action {@code ip.refused}, detail
 * {@code {"minute","count","allowlist","path"}} (the first refused path).
 * <p>
 * Shared by the HTTP verticle instances of one Vert.x; thread-safe.
 */
public final class RefusalAudit implements Shareable {

  static final long FLUSH_MS = 2000;
  static final int MAX_ADDRESSES_PER_MINUTE = 1000;
  private static final String SHARED = "ganglion.http.refusals";

  private final AuditRepository repository;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Map<Long, AtomicInteger> addressesPerMinute = new ConcurrentHashMap<>();

  private static final class Entry {
    final long minute;
    final String source;
    final String tenant;
    final String allowlist;
    final String path;
    final AtomicInteger count = new AtomicInteger();
    final AtomicLong rowId = new AtomicLong(-1);
    volatile int written;

    Entry(long minute, String source, String tenant, String allowlist, String path) {
      this.minute = minute;
      this.source = source;
      this.tenant = tenant;
      this.allowlist = allowlist;
      this.path = path;
    }

    JsonObject detail() {
      return new JsonObject().put("minute", Instant.ofEpochSecond(minute * 60).toString()).put("count", count.get())
        .put("allowlist", allowlist).put("path", path);
    }
  }

  private RefusalAudit(Vertx vertx, AuditRepository repository) {
    this.repository = repository;
    vertx.setPeriodic(FLUSH_MS, t -> flush());
  }

  /** The instance of this Vert.x (created, with its flush timer, by the first HTTP verticle instance). */
  public static RefusalAudit of(Vertx vertx, AuditRepository repository) {
    return (RefusalAudit) vertx.sharedData().getLocalMap(SHARED).computeIfAbsent("audit",
      k -> new RefusalAudit(vertx, repository));
  }

  /** Counts one refused request from {@code source} ({@code tenant} null for the global allowlist). */
  public void refused(String source, String tenant, String allowlist, String path) {
    long minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).getEpochSecond() / 60;
    String key = minute + "|" + source + "|" + allowlist + "|" + tenant;
    Entry entry = entries.get(key);
    if (entry == null) {
      AtomicInteger seen = addressesPerMinute.computeIfAbsent(minute, m -> new AtomicInteger());
      boolean own = seen.get() < MAX_ADDRESSES_PER_MINUTE;
      String rowSource = own ? source : "*";
      String rowKey = own ? key : minute + "|*|" + allowlist + "|" + tenant;
      entry = entries.computeIfAbsent(rowKey, k -> {
        if (k.equals(key)) {
          seen.incrementAndGet();
        }
        return new Entry(minute, rowSource, tenant, allowlist, path);
      });
    }
    if (entry.count.incrementAndGet() == 1) {
      Entry first = entry;
      repository.appendReturningId(new AuditRepository.Event(RequestIds.current(), null, tenant, "ip.refused",
          path, first.source, first.detail()))
        .onSuccess(id -> {
          first.rowId.set(id);
          first.written = 1;
        });
    }
  }

  /** Brings rows up to date with their counts; forgets minutes that are over and fully written. */
  private void flush() {
    long now = Instant.now().getEpochSecond() / 60;
    entries.forEach((key, e) -> {
      int count = e.count.get();
      long id = e.rowId.get();
      if (id >= 0 && count > e.written) {
        repository.updateDetail(id, e.detail()).onSuccess(v -> e.written = Math.max(e.written, count));
      } else if ((e.minute < now - 1 && count <= e.written) || e.minute < now - 5) {
        entries.remove(key, e); // done, or never written (PostgreSQL down): the log line of the write says so
      }
    });
    addressesPerMinute.keySet().removeIf(m -> m < now - 1);
  }
}
