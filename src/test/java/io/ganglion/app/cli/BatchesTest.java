package io.ganglion.app.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("How ingest splits files into requests")
class BatchesTest {

  private static SourceFile file(String name, long bytes) {
    return new SourceFile(Path.of(name), name, "text/plain", bytes);
  }

  @Test
  @DisplayName("starts a new request when the next file would pass the body limit or the document count")
  void splitsByBytesAndCount() {
    Map<String, String> failures = new LinkedHashMap<>();
    List<List<SourceFile>> plan = new Batches(3, 10_000, 1_000_000).plan(List.of(file("a", 3000), file("b", 3000),
      file("c", 3000), file("d", 10), file("e", 10), file("f", 10), file("g", 10)), failures);
    assertThat(plan).extracting(batch -> batch.stream().map(SourceFile::id).toList())
      .containsExactly(List.of("a", "b"), List.of("c", "d", "e"), List.of("f", "g"));
    assertThat(failures).isEmpty();
  }

  @Test
  @DisplayName("fails a file over the file limit, or too large for any request, without sending it")
  void refusesOversizedFiles() {
    Map<String, String> failures = new LinkedHashMap<>();
    List<List<SourceFile>> plan = new Batches(10, 10_000, 5_000).plan(List.of(file("big", 6_000), file("wide", 4_900),
      file("ok", 100)), failures);
    assertThat(plan).hasSize(1);
    assertThat(plan.get(0)).extracting(SourceFile::id).containsExactly("wide", "ok");
    assertThat(failures).containsOnlyKeys("big");
    plan = new Batches(10, 6_000, 50_000).plan(List.of(file("wide", 4_900)), failures);
    assertThat(plan).isEmpty();
    assertThat(failures).containsKey("wide");
  }

  @Test
  @DisplayName("names documents by their path below the directory, with separators as ':'")
  void documentIds() {
    assertThat(SourceFile.documentId(Path.of("guides/deep/note 1.md"))).isEqualTo("guides:deep:note_1.md");
    assertThat(SourceFile.documentId(Path.of(".hidden"))).isEqualTo("hidden");
  }
}
