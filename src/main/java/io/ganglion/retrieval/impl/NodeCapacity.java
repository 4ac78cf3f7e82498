package io.ganglion.retrieval.impl;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.ganglion.bus.DiskSpace;
import io.ganglion.retrieval.RetrievalConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Whether this node can take more documents: the heap in use after the last garbage collection (live data, not
 * garbage waiting to be collected) against {@code retrieval.capacity.maxHeapFraction} of the maximum heap, and the
 * free space of the data directory's file systems ({@link DiskSpace}: its own and any volume mounted on one of the
 * subdirectories the server writes, the tightest counts) against {@code retrieval.capacity.minFreeDiskMb}. Ingestion asks
 * before storing anything, so a full node refuses with 503 {@code capacity} instead of failing mid-write; both levels
 * are gauges ({@code ganglion.retrieval.capacity.heap.ratio}, {@code ganglion.retrieval.capacity.disk.free.bytes}).
 * <p>
 * <b>NOTE</b>: thread-safe; the heap level is refreshed by the JVM's GC notifications, so a check costs a volatile read
 * and one {@code statvfs}.
 */
public final class NodeCapacity implements AutoCloseable {

  private final RetrievalConfig.Capacity config;
  private final LongSupplier heapAfterGc;
  private final long maxHeap;
  private final Supplier<DiskSpace.Free> freeDisk;
  private final Counter refusals;
  private final Runnable unregister;

  NodeCapacity(RetrievalConfig.Capacity config, LongSupplier heapAfterGc, long maxHeap, Supplier<DiskSpace.Free> freeDisk,
               MeterRegistry meters, Runnable unregister) {
    this.config = config;
    this.heapAfterGc = heapAfterGc;
    this.maxHeap = maxHeap;
    this.freeDisk = freeDisk;
    this.unregister = unregister;
    this.refusals = Counter.builder("ganglion.retrieval.capacity.refusals")
      .description("ingestion requests and documents refused because the heap or the disk is near full")
      .register(meters);
    Gauge.builder("ganglion.retrieval.capacity.heap.ratio", this, NodeCapacity::heapRatio)
      .description("heap in use after the last collection / maximum heap").register(meters);
    Gauge.builder("ganglion.retrieval.capacity.disk.free.bytes", this, c -> c.freeDisk.get().bytes())
      .description("free bytes of the fullest file system under the data directory").baseUnit("bytes").register(meters);
  }

  /** The capacity of this JVM and of the file system holding {@code dataDir}. */
  public static NodeCapacity of(RetrievalConfig.Capacity config, Path dataDir, MeterRegistry meters) {
    AtomicLong afterGc = new AtomicLong();
    NotificationListener listener = (notification, handback) -> {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        afterGc.set(heapUsed(info.getGcInfo().getMemoryUsageAfterGc()));
      }
    };
    var collectors = ManagementFactory.getGarbageCollectorMXBeans();
    for (GarbageCollectorMXBean gc : collectors) {
      ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
    }
    Runnable unregister = () -> {
      for (GarbageCollectorMXBean gc : collectors) {
        try {
          ((NotificationEmitter) gc).removeNotificationListener(listener);
        } catch (javax.management.ListenerNotFoundException ignored) {
          // already gone
        }
      }
    };
    DiskSpace disks = DiskSpace.of(dataDir);
    return new NodeCapacity(config, afterGc::get, Runtime.getRuntime().maxMemory(), disks::tightest, meters, unregister);
  }

  /** Why the node cannot take more documents now, or empty when it can. Counts each refusal. */
  public Optional<String> refusal() {
    Optional<String> shortage = shortage();
    shortage.ifPresent(s -> refusals.increment());
    return shortage.map(s -> s.startsWith("heap")
      ? "this node's " + s + ": ingestion is paused until memory is freed or the knowledge base moves to more nodes"
      : "the " + s + ": ingestion is paused until disk space is freed");
  }

  /**
   * What this node is short of now, without counting a refusal: {@code "heap is 90% full after garbage collection
   * (limit 85%, retrieval.capacity.maxHeapFraction)"} or {@code "disk is nearly full: the file system of /data has 12 MB
   * free (limit 1024 MB, retrieval.capacity.minFreeDiskMb)"}; empty while it has room. What the node publishes to the others.
   */
  public Optional<String> shortage() {
    double ratio = heapRatio();
    if (ratio > config.maxHeapFraction()) {
      return Optional.of(String.format(java.util.Locale.ROOT,
        "heap is %.0f%% full after garbage collection (limit %.0f%%, retrieval.capacity.maxHeapFraction)",
        ratio * 100, config.maxHeapFraction() * 100));
    }
    DiskSpace.Free free = freeDisk.get();
    long min = config.minFreeDiskMb() * 1024 * 1024;
    if (free.bytes() < min) {
      return Optional.of("disk is nearly full: the file system of " + free.path() + " has "
        + free.bytes() / (1024 * 1024) + " MB free (limit " + config.minFreeDiskMb() + " MB, retrieval.capacity.minFreeDiskMb)");
    }
    return Optional.empty();
  }

  /** Counts a refusal for another node's shortage (a document whose shard it holds). */
  public void refusedFor() {
    refusals.increment();
  }

  double heapRatio() {
    return maxHeap <= 0 ? 0 : heapAfterGc.getAsLong() / (double) maxHeap;
  }

  @Override
  public void close() {
    unregister.run();
  }

  private static long heapUsed(Map<String, MemoryUsage> pools) {
    long used = 0;
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage u = pool.getType() == MemoryType.HEAP ? pools.get(pool.getName()) : null;
      if (u != null) {
        used += u.getUsed();
      }
    }
    return used;
  }
}
