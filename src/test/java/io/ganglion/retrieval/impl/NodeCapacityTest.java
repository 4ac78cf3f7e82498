package io.ganglion.retrieval.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ganglion.retrieval.RetrievalConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Node capacity")
class NodeCapacityTest {

  @TempDir
  Path tmp;

  @Test
  @DisplayName("refuses while the heap after collection is above the limit, and again takes documents once it is below")
  void heap() {
    AtomicLong heap = new AtomicLong(80);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    NodeCapacity capacity = new NodeCapacity(new RetrievalConfig.Capacity(0.85, 0), heap::get, 100,
      () -> new io.ganglion.bus.DiskSpace.Free(Path.of("."), Long.MAX_VALUE), meters, () -> { });

    assertThat(capacity.refusal()).isEmpty();
    heap.set(90);
    assertThat(capacity.refusal()).hasValueSatisfying(reason ->
      assertThat(reason).contains("90% full").contains("retrieval.capacity.maxHeapFraction"));
    assertThat(meters.get("ganglion.retrieval.capacity.heap.ratio").gauge().value()).isEqualTo(0.9);
    heap.set(50);
    assertThat(capacity.refusal()).isEmpty();
    assertThat(meters.get("ganglion.retrieval.capacity.refusals").counter().count()).isEqualTo(1);
  }

  @Test
  @DisplayName("says what it is short of, for the other nodes, without counting a refusal; a refusal for another node's shortage counts")
  void shortage() {
    AtomicLong heap = new AtomicLong(90);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    NodeCapacity capacity = new NodeCapacity(new RetrievalConfig.Capacity(0.85, 0), heap::get, 100,
      () -> new io.ganglion.bus.DiskSpace.Free(Path.of("."), Long.MAX_VALUE), meters, () -> { });

    assertThat(capacity.shortage()).hasValue(
      "heap is 90% full after garbage collection (limit 85%, retrieval.capacity.maxHeapFraction)");
    assertThat(meters.get("ganglion.retrieval.capacity.refusals").counter().count()).isZero();
    capacity.refusedFor();
    assertThat(meters.get("ganglion.retrieval.capacity.refusals").counter().count()).isEqualTo(1);
    heap.set(10);
    assertThat(capacity.shortage()).isEmpty();
  }

  @Test
  @DisplayName("refuses while the data directory's file system has less than the configured free space")
  void disk() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    // a real file system: no disk here has an exabyte free
    try (NodeCapacity full = NodeCapacity.of(new RetrievalConfig.Capacity(1.0, 1L << 40), tmp, meters)) {
      assertThat(full.refusal()).hasValueSatisfying(reason ->
        assertThat(reason).contains("the disk is nearly full", tmp.toString(), "retrieval.capacity.minFreeDiskMb"));
      assertThat(meters.get("ganglion.retrieval.capacity.disk.free.bytes").gauge().value()).isPositive();
    }
    try (NodeCapacity roomy = NodeCapacity.of(new RetrievalConfig.Capacity(1.0, 0), tmp, new SimpleMeterRegistry())) {
      assertThat(roomy.refusal()).isEmpty();
    }
  }
}
