package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Sealing a snapshot's files")
class SnapshotFilesTest {

  @TempDir
  Path tmp;

  private static long crc(JsonObject files, String name) {
    return files.getJsonObject(name).getLong("crc32c");
  }

  @Test
  @DisplayName("reuses the checksum of a file it already sealed, and reads a file again once it changed")
  void reusesChecksumsOfUnchangedFiles() throws IOException {
    Path first = Files.createDirectories(tmp.resolve("first"));
    Path segment = Files.write(tmp.resolve("graph.bin"), new byte[] {1, 2, 3, 4});
    Files.createLink(first.resolve("graph.bin"), segment);
    Map<Object, Long> known = new HashMap<>();
    long truth = crc(SnapshotFiles.seal(first, known), "graph.bin");
    assertThat(known).hasSize(1);

    // the same file linked into the next snapshot: its remembered checksum is used, not the file read again
    Path second = Files.createDirectories(tmp.resolve("second"));
    Files.createLink(second.resolve("graph.bin"), segment);
    known.replaceAll((file, crc) -> truth ^ 1);
    assertThat(crc(SnapshotFiles.seal(second, known), "graph.bin")).isEqualTo(truth ^ 1);

    // a file of another size (or time) is another file: read again
    Files.write(segment, new byte[] {5}, StandardOpenOption.APPEND);
    Path third = Files.createDirectories(tmp.resolve("third"));
    Files.createLink(third.resolve("graph.bin"), segment);
    long changed = crc(SnapshotFiles.seal(third, known), "graph.bin");
    assertThat(changed).isNotEqualTo(truth).isNotEqualTo(truth ^ 1)
      .isEqualTo(crc(SnapshotFiles.seal(third), "graph.bin"));
  }

  @Test
  @DisplayName("after verifying a snapshot, knows its checksums; damage that keeps size and time is still caught at load")
  void verifySeedsAndStillCatchesDamage() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("snapshot"));
    Path file = Files.write(dir.resolve("a.bin"), new byte[] {9, 8, 7});
    JsonObject listed = SnapshotFiles.seal(dir);
    Map<Object, Long> known = new HashMap<>();
    SnapshotFiles.verify(dir, "manifest.json", listed, known);
    assertThat(known).hasSize(1).containsValue(crc(listed, "a.bin"));

    // bit rot: a byte changes, size and modification time do not. Sealing again keeps the checksum of what was
    // written, so the next load notices the damage (the cue to rebuild) instead of a later snapshot blessing it
    FileTime written = Files.getLastModifiedTime(file);
    Files.write(file, new byte[] {9, 0, 7});
    Files.setLastModifiedTime(file, written);
    JsonObject resealed = SnapshotFiles.seal(dir, known);
    assertThat(crc(resealed, "a.bin")).isEqualTo(crc(listed, "a.bin"));
    assertThatThrownBy(() -> SnapshotFiles.verify(dir, "manifest.json", resealed)).isInstanceOf(IOException.class)
      .hasMessageContaining("damaged");
  }
}
