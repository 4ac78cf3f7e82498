package io.ganglion.retrieval.index;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Length-prefixed UTF-8 strings in the index's binary files ({@code writeUTF} caps a string at 64 KiB). */
final class BinaryStrings {

  private BinaryStrings() {
  }

  static void write(DataOutput out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String read(DataInput in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
