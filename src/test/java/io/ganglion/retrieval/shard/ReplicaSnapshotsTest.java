package io.ganglion.retrieval.shard;

import io.ganglion.retrieval.index.ChunkRecord;
import io.ganglion.retrieval.index.Shard;
import io.ganglion.retrieval.index.VectorIndexConfig;
import io.ganglion.retrieval.index.VectorIndexStats;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Snapshots of shard copies with on-disk vector segments")
class ReplicaSnapshotsTest {

  private static final int DIMENSION = 16;

  @TempDir
  Path tmp;

  @Test
  @DisplayName("a copy on disk is snapshotted with its segment files linked, reloads on disk at its version into a "
    + "working directory of its own, and a snapshot of an older format or another layout is ignored (rebuilt)")
  void diskCopy() throws Exception {
    // on disk from 1,024 vectors: a large shard's lifecycle at a small size
    try (ReplicaWorkspace workspace = new ReplicaWorkspace(tmp.resolve("work"), new VectorIndexConfig(1024, 500, 0, 0, 1))) {
      ReplicaSnapshots snapshots = new ReplicaSnapshots(tmp.resolve("indexes"), workspace);
      ShardKey key = new ShardKey(7, 1);
      Path written;
      try (Shard shard = workspace.rebuild(key, records(1200))) {
        assertThat(shard.vectorStats().kind()).isEqualTo(VectorIndexStats.Kind.DISK);
        snapshots.write(key, 2, shard, 42);
        written = only(snapshots.dir(key), "graph.jv");
        assertThat(Files.isSameFile(written, only(tmp.resolve("work"), "graph.jv")))
          .as("the snapshot's graph is the copy's own file, linked").isTrue();
        snapshots.write(key, 2, shard, 43); // a second snapshot links the same file again
        assertThat(Files.isSameFile(only(snapshots.dir(key), "graph.jv"), only(tmp.resolve("work"), "graph.jv"))).isTrue();
      }
      try (Stream<Path> left = Files.list(tmp.resolve("work"))) {
        assertThat(left).as("a closed copy's working directory is gone").isEmpty();
      }

      ReplicaSnapshots.Loaded loaded = snapshots.load(key, 2);
      assertThat(loaded).isNotNull();
      try (Shard shard = loaded.shard()) {
        assertThat(loaded.version()).isEqualTo(43);
        assertThat(shard.vectorStats().kind()).isEqualTo(VectorIndexStats.Kind.DISK);
        assertThat(shard.vectorStats().vectors()).isEqualTo(1200);
        assertThat(shard.stats().chunks()).isEqualTo(1200);
        assertThat(shard.fetch(List.of("doc-0#0", "doc-1#0")).get("doc-0#0").injection())
          .as("the injection verdict recorded at ingestion travels in the snapshot").isEqualTo(MARK);
        assertThat(shard.fetch(List.of("doc-1#0")).get("doc-1#0").injection()).as("none recorded").isNull();
        try (Stream<Path> copies = Files.list(tmp.resolve("work"))) {
          assertThat(copies).hasSize(1);
        }
      }

      assertThat(snapshots.load(key, 3)).as("another shard count").isNull();
      Path manifest = snapshots.dir(key).resolve(ReplicaSnapshots.MANIFEST);
      JsonObject current = new JsonObject(Files.readString(manifest));
      assertThat(current.getInteger("format")).isEqualTo(ReplicaSnapshots.FORMAT);
      Files.writeString(manifest, current.copy().put("format", 2).encode());
      assertThat(snapshots.load(key, 2)).as("format 2, one in-heap graph per shard").isNull();
      try (Stream<Path> left = Files.list(tmp.resolve("work"))) {
        assertThat(left).as("failed loads leave no working directory").isEmpty();
      }
    }
  }

  private static Path only(Path root, String name) throws Exception {
    try (Stream<Path> paths = Files.walk(root)) {
      List<Path> found = paths.filter(p -> p.getFileName().toString().equals(name)).toList();
      assertThat(found).hasSize(1);
      return found.getFirst();
    }
  }

  private static final String MARK = "{\"injection\":true,\"score\":0.97,\"version\":\"v/abc\"}";

  private static List<ChunkRecord> records(int n) {
    Random random = new Random(11);
    List<ChunkRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] v = new float[DIMENSION];
      for (int d = 0; d < DIMENSION; d++) {
        v[d] = (float) random.nextGaussian();
      }
      String doc = "doc-" + i;
      String text = "chunk " + i + " of the test corpus";
      out.add(new ChunkRecord(doc, doc + "#0", "Title " + i, text, text, 0, text.length(), Map.of(), v,
        i == 0 ? MARK : null));
    }
    return out;
  }
}
