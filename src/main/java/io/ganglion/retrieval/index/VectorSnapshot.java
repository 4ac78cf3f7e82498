package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The on-disk form of a {@link VectorGraph}: {@code vectors.bin} (per ordinal: deleted flag, chunk id, document id,
 * metadata, unit vector) and {@code graph.bin} (JVector's adjacency). Loading re-adds the vectors and restores the
 * adjacency, so a restart costs a file read, not a graph build.
 */
final class VectorSnapshot {

  private static final int MAGIC = 0x47564543; // "GVEC"
  private static final int VERSION = 1;
  private static final String VECTORS = "vectors.bin";
  private static final String GRAPH = "graph.bin";
  private static final VectorTypeSupport TYPES = JVectorTypes.TYPES;

  private VectorSnapshot() {
  }

  static void write(VectorGraph graph, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (DataOutputStream out = output(dir.resolve(VECTORS))) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(graph == null ? 0 : graph.dimension());
      out.writeInt(graph == null ? 0 : graph.ordinals());
      if (graph == null) {
        return;
      }
      for (int i = 0; i < graph.ordinals(); i++) {
        VectorEntry e = graph.entry(i);
        out.writeBoolean(graph.isDeleted(i));
        string(out, e.chunkId());
        string(out, e.documentId());
        out.writeInt(e.metadata().size());
        for (Map.Entry<String, String> m : e.metadata().entrySet()) {
          string(out, m.getKey());
          string(out, m.getValue());
        }
        VectorFloat<?> v = graph.vector(i);
        for (int d = 0; d < v.length(); d++) {
          out.writeFloat(v.get(d));
        }
      }
    }
    if (graph != null) {
      try (DataOutputStream out = output(dir.resolve(GRAPH))) {
        graph.saveGraph(out);
      }
    }
  }

  /** The saved generation, or {@code null} for a snapshot of an empty index. */
  static VectorGraph read(Path dir) throws IOException {
    VectorGraph graph;
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(VECTORS))))) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        throw new IOException("not a vector snapshot (or an unknown version): " + dir.resolve(VECTORS));
      }
      int dimension = in.readInt();
      int count = in.readInt();
      if (dimension == 0) {
        return null;
      }
      graph = new VectorGraph(dimension);
      for (int i = 0; i < count; i++) {
        boolean deleted = in.readBoolean();
        String chunkId = string(in);
        String documentId = string(in);
        int metadataSize = in.readInt();
        Map<String, String> metadata = new HashMap<>(metadataSize * 2);
        for (int m = 0; m < metadataSize; m++) {
          metadata.put(string(in), string(in));
        }
        float[] v = new float[dimension];
        for (int d = 0; d < dimension; d++) {
          v[d] = in.readFloat();
        }
        graph.restore(new VectorEntry(chunkId, documentId, Map.copyOf(metadata)), TYPES.createFloatVector(v), deleted);
      }
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(GRAPH))))) {
      graph.loadGraph(in);
    }
    graph.markRestoredDeletions();
    return graph;
  }

  private static DataOutputStream output(Path file) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
  }

  // length-prefixed UTF-8: writeUTF caps strings at 64 KiB
  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
