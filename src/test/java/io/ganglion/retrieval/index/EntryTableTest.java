package io.ganglion.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The packed entry table of an on-disk segment")
class EntryTableTest {

  private static List<VectorEntry> entries() {
    List<VectorEntry> out = new ArrayList<>();
    // documents in no particular order, their chunks consecutive; ids beyond ASCII
    for (String doc : List.of("zeta", "älpha", "b", "日本-doc", "a")) {
      for (int c = 0; c < 3; c++) {
        out.add(new VectorEntry(doc + "#" + c, doc, Map.of("lang", doc.length() > 3 ? "long" : "short",
          "chunk", "c" + c)));
      }
    }
    return out;
  }

  @Test
  @DisplayName("finds every chunk by id, every document as its range, and metadata pairs as posting lists")
  void lookups() throws Exception {
    List<VectorEntry> entries = entries();
    EntryTable table = EntryTable.of(entries);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    table.write(new DataOutputStream(bytes));
    EntryTable read = EntryTable.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

    for (EntryTable t : List.of(table, read)) {
      assertThat(t.size()).isEqualTo(15);
      for (int o = 0; o < entries.size(); o++) {
        assertThat(t.entry(o)).isEqualTo(entries.get(o));
        assertThat(t.ordinalOf(entries.get(o).chunkId())).isEqualTo(o);
      }
      assertThat(t.ordinalOf("missing#0")).isEqualTo(-1);
      assertThat(t.documentRange("日本-doc")).containsExactly(9, 12);
      assertThat(t.documentRange("a")).containsExactly(12, 15);
      assertThat(t.documentRange("nope")).isNull();
      assertThat(t.matching(Map.of("chunk", "c1"))).containsExactly(1, 4, 7, 10, 13);
      assertThat(t.matching(Map.of("chunk", "c1", "lang", "long"))).containsExactly(1, 4, 10);
      assertThat(t.matching(Map.of("chunk", "c9"))).isEmpty();
      assertThat(t.ramBytes()).isPositive();
    }
  }

  @Test
  @DisplayName("rejects entries whose document's chunks are not consecutive")
  void documentsAreRuns() {
    List<VectorEntry> split = List.of(new VectorEntry("a#0", "a", Map.of()), new VectorEntry("b#0", "b", Map.of()),
      new VectorEntry("a#1", "a", Map.of()));
    assertThatThrownBy(() -> EntryTable.of(split)).isInstanceOf(IllegalArgumentException.class);
  }
}
