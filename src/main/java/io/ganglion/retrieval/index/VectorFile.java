package io.ganglion.retrieval.index;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A scratch file of float32 vectors, written once in order and then read back memory-mapped: the input of an on-disk
 * graph build (a merge or a bulk rebuild), so a million vectors pass through the page cache rather than the heap.
 * Deleted on {@link #close()}.
 * <p>
 * <b>NOTE</b>: {@link #append} is single-threaded; once {@link #values()} is called the file is read-only and its
 * vectors may be read from any number of threads.
 */
final class VectorFile implements Closeable {

  private static final VectorTypeSupport TYPES = JVectorTypes.TYPES;
  /** Vectors per mapped chunk: a MappedByteBuffer holds at most 2 GiB. */
  private static final long CHUNK_BYTES = 1L << 30;

  private final Path file;
  private final int dimension;
  private final FileChannel channel;
  private final ByteBuffer row;
  private int size;
  private FloatBuffer[] chunks;
  private int perChunk;

  VectorFile(Path file, int dimension) throws IOException {
    this.file = file;
    this.dimension = dimension;
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
      StandardOpenOption.WRITE);
    this.row = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  }

  int size() {
    return size;
  }

  void append(VectorFloat<?> vector) throws IOException {
    row.clear();
    for (int d = 0; d < dimension; d++) {
      row.putFloat(vector.get(d));
    }
    row.flip();
    while (row.hasRemaining()) {
      channel.write(row);
    }
    size++;
  }

  /** The vectors written, memory-mapped. Call once, after the last {@link #append}. */
  RandomAccessVectorValues values() throws IOException {
    int rowBytes = dimension * Float.BYTES;
    perChunk = (int) Math.max(1, CHUNK_BYTES / rowBytes);
    int count = (size + perChunk - 1) / perChunk;
    chunks = new FloatBuffer[count];
    for (int c = 0; c < count; c++) {
      long from = (long) c * perChunk * rowBytes;
      long length = (long) Math.min(perChunk, size - c * perChunk) * rowBytes;
      chunks[c] = channel.map(FileChannel.MapMode.READ_ONLY, from, length).order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer();
    }
    return new Values();
  }

  @Override
  public void close() throws IOException {
    chunks = null;
    channel.close();
    Files.deleteIfExists(file);
  }

  private final class Values implements RandomAccessVectorValues {

    @Override
    public int size() {
      return size;
    }

    @Override
    public int dimension() {
      return dimension;
    }

    @Override
    public VectorFloat<?> getVector(int ordinal) {
      float[] v = new float[dimension];
      // absolute bulk get: no buffer state changes, safe from many threads
      chunks[ordinal / perChunk].get((ordinal % perChunk) * dimension, v);
      return TYPES.createFloatVector(v);
    }

    @Override
    public boolean isValueShared() {
      return false;
    }

    @Override
    public RandomAccessVectorValues copy() {
      return this;
    }
  }
}
