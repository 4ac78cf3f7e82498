package io.ganglion.retrieval.index;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.util.StringHelper;

/**
 * The entries of an immutable {@link DiskSegment}, packed for a million ordinals at a few dozen bytes each instead of
 * the objects of {@link VectorEntry}: chunk ids and document ids as UTF-8 blobs with offsets, ordinals grouped by
 * document (so a document is a range and its id is stored once), each distinct metadata map once, a hash index from
 * chunk id to ordinal, and posting lists per metadata pair for filters. Immutable and safe to read from any thread.
 */
final class EntryTable {

  private static final int MAGIC = 0x47454e54; // "GENT"

  private final byte[] ids;
  private final int[] idStart;
  // documents are runs of consecutive ordinals: run r starts at documentStart[r]; its id is document r of the blob
  private final byte[] documents;
  private final int[] documentIdStart;
  private final int[] documentStart;
  private final int[] documentOrder; // runs sorted by id (UTF-8 bytes), for lookups by document id
  private final List<Map<String, String>> metadatas;
  private final int[] metadataOf;
  private final int[] slots; // open addressing: ordinal + 1, 0 = empty
  private final Map<String, Map<String, int[]>> postings;

  private EntryTable(byte[] ids, int[] idStart, byte[] documents, int[] documentIdStart, int[] documentStart,
                     List<Map<String, String>> metadatas, int[] metadataOf) {
    this.ids = ids;
    this.idStart = idStart;
    this.documents = documents;
    this.documentIdStart = documentIdStart;
    this.documentStart = documentStart;
    this.documentOrder = documentOrder();
    this.metadatas = metadatas;
    this.metadataOf = metadataOf;
    this.slots = hashIndex();
    this.postings = postings();
  }

  /**
   * The table of {@code entries}, the chunks of each document consecutive (the ordinal of an entry is its position).
   *
   * @throws IllegalArgumentException when a document's chunks are split
   */
  static EntryTable of(List<VectorEntry> entries) {
    int n = entries.size();
    List<String> chunkIds = new ArrayList<>(n);
    List<String> documentIds = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    Map<Map<String, String>, Integer> distinct = new HashMap<>();
    List<Map<String, String>> metadatas = new ArrayList<>();
    int[] metadataOf = new int[n];
    for (int i = 0; i < n; i++) {
      VectorEntry e = entries.get(i);
      chunkIds.add(e.chunkId());
      if (documentIds.isEmpty() || !documentIds.getLast().equals(e.documentId())) {
        if (!seen.add(e.documentId())) {
          throw new IllegalArgumentException("the chunks of document " + e.documentId() + " are not consecutive");
        }
        documentIds.add(e.documentId());
        starts.add(i);
      }
      metadataOf[i] = distinct.computeIfAbsent(e.metadata(), m -> {
        metadatas.add(Map.copyOf(m));
        return metadatas.size() - 1;
      });
    }
    starts.add(n);
    int[] idStart = new int[n + 1];
    byte[] ids = blob(chunkIds, idStart);
    int[] documentIdStart = new int[documentIds.size() + 1];
    byte[] documents = blob(documentIds, documentIdStart);
    return new EntryTable(ids, idStart, documents, documentIdStart,
      starts.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(metadatas), metadataOf);
  }

  /** The strings as one UTF-8 blob; {@code starts} gets each one's offset and, last, the blob's length. */
  private static byte[] blob(List<String> strings, int[] starts) {
    List<byte[]> encoded = new ArrayList<>(strings.size());
    long total = 0;
    for (String s : strings) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      encoded.add(b);
      total += b.length;
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("the ids of one segment exceed 2 GiB");
    }
    byte[] blob = new byte[(int) total];
    int at = 0;
    for (int i = 0; i < encoded.size(); i++) {
      starts[i] = at;
      System.arraycopy(encoded.get(i), 0, blob, at, encoded.get(i).length);
      at += encoded.get(i).length;
    }
    starts[encoded.size()] = at;
    return blob;
  }

  int size() {
    return metadataOf.length;
  }

  String chunkId(int ordinal) {
    return new String(ids, idStart[ordinal], idStart[ordinal + 1] - idStart[ordinal], StandardCharsets.UTF_8);
  }

  String documentId(int ordinal) {
    int d = Arrays.binarySearch(documentStart, ordinal);
    return document(d >= 0 ? d : -d - 2);
  }

  private String document(int run) {
    return new String(documents, documentIdStart[run], documentIdStart[run + 1] - documentIdStart[run],
      StandardCharsets.UTF_8);
  }

  private int compareDocument(int run, byte[] id) {
    return Arrays.compareUnsigned(documents, documentIdStart[run], documentIdStart[run + 1], id, 0, id.length);
  }

  Map<String, String> metadata(int ordinal) {
    return metadatas.get(metadataOf[ordinal]);
  }

  VectorEntry entry(int ordinal) {
    return new VectorEntry(chunkId(ordinal), documentId(ordinal), metadata(ordinal));
  }

  /** The ordinal of {@code chunkId}, or -1. */
  int ordinalOf(String chunkId) {
    byte[] b = chunkId.getBytes(StandardCharsets.UTF_8);
    int mask = slots.length - 1;
    for (int slot = hash(b, 0, b.length) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
      int ordinal = slots[slot] - 1;
      if (Arrays.equals(ids, idStart[ordinal], idStart[ordinal + 1], b, 0, b.length)) {
        return ordinal;
      }
    }
    return -1;
  }

  /** The ordinals of {@code documentId} as {@code [from, to)}, or {@code null}. */
  int[] documentRange(String documentId) {
    byte[] id = documentId.getBytes(StandardCharsets.UTF_8);
    int lo = 0;
    int hi = documentOrder.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = compareDocument(documentOrder[mid], id);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        int run = documentOrder[mid];
        return new int[] {documentStart[run], documentStart[run + 1]};
      }
    }
    return null;
  }

  private int[] documentOrder() {
    int runs = documentStart.length - 1;
    Integer[] order = new Integer[runs];
    for (int r = 0; r < runs; r++) {
      order[r] = r;
    }
    Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(documents, documentIdStart[a], documentIdStart[a + 1],
      documents, documentIdStart[b], documentIdStart[b + 1]));
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  /** The ordinals whose metadata carry every pair of {@code filters}, ascending. */
  int[] matching(Map<String, String> filters) {
    int[][] lists = new int[filters.size()][];
    int i = 0;
    for (Map.Entry<String, String> f : filters.entrySet()) {
      int[] list = postings.getOrDefault(f.getKey(), Map.of()).get(f.getValue());
      if (list == null) {
        return new int[0];
      }
      lists[i++] = list;
    }
    Arrays.sort(lists, (a, b) -> Integer.compare(a.length, b.length));
    int[] out = lists[0];
    for (int l = 1; l < lists.length; l++) {
      out = MetadataPostings.intersect(out, lists[l]);
    }
    return out;
  }

  /** Heap bytes held, for capacity accounting. */
  long ramBytes() {
    long bytes = ids.length + 4L * idStart.length + documents.length + 4L * documentIdStart.length
      + 4L * documentStart.length + 4L * documentOrder.length + 4L * metadataOf.length + 4L * slots.length;
    for (Map<String, String> m : metadatas) {
      bytes += 48;
      for (Map.Entry<String, String> e : m.entrySet()) {
        bytes += 96 + e.getKey().length() + e.getValue().length();
      }
    }
    for (Map<String, int[]> values : postings.values()) {
      for (int[] list : values.values()) {
        bytes += 64 + 4L * list.length;
      }
    }
    return bytes;
  }

  void write(DataOutput out) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(size());
    out.writeInt(ids.length);
    out.write(ids);
    for (int s : idStart) {
      out.writeInt(s);
    }
    out.writeInt(documentStart.length - 1);
    out.writeInt(documents.length);
    out.write(documents);
    for (int d = 0; d < documentStart.length - 1; d++) {
      out.writeInt(documentIdStart[d]);
      out.writeInt(documentStart[d]);
    }
    out.writeInt(metadatas.size());
    for (Map<String, String> m : metadatas) {
      out.writeInt(m.size());
      for (Map.Entry<String, String> e : m.entrySet()) {
        BinaryStrings.write(out, e.getKey());
        BinaryStrings.write(out, e.getValue());
      }
    }
    for (int m : metadataOf) {
      out.writeInt(m);
    }
  }

  static EntryTable read(DataInput in) throws IOException {
    if (in.readInt() != MAGIC) {
      throw new IOException("not an entry table");
    }
    int n = in.readInt();
    byte[] ids = new byte[in.readInt()];
    in.readFully(ids);
    int[] idStart = new int[n + 1];
    for (int i = 0; i <= n; i++) {
      idStart[i] = in.readInt();
    }
    int runs = in.readInt();
    byte[] documents = new byte[in.readInt()];
    in.readFully(documents);
    int[] documentIdStart = new int[runs + 1];
    int[] documentStart = new int[runs + 1];
    for (int d = 0; d < runs; d++) {
      documentIdStart[d] = in.readInt();
      documentStart[d] = in.readInt();
    }
    documentIdStart[runs] = documents.length;
    documentStart[runs] = n;
    List<Map<String, String>> metadatas = new ArrayList<>();
    int m = in.readInt();
    for (int i = 0; i < m; i++) {
      int pairs = in.readInt();
      Map<String, String> map = new HashMap<>(pairs * 2);
      for (int p = 0; p < pairs; p++) {
        map.put(BinaryStrings.read(in), BinaryStrings.read(in));
      }
      metadatas.add(Map.copyOf(map));
    }
    int[] metadataOf = new int[n];
    for (int i = 0; i < n; i++) {
      metadataOf[i] = in.readInt();
    }
    return new EntryTable(ids, idStart, documents, documentIdStart, documentStart, List.copyOf(metadatas), metadataOf);
  }

  private int[] hashIndex() {
    int n = size();
    int capacity = Integer.highestOneBit(Math.max(4, n * 2 - 1)) << 1;
    int[] table = new int[capacity];
    int mask = capacity - 1;
    for (int ordinal = 0; ordinal < n; ordinal++) {
      int slot = hash(ids, idStart[ordinal], idStart[ordinal + 1] - idStart[ordinal]) & mask;
      while (table[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = ordinal + 1;
    }
    return table;
  }

  private Map<String, Map<String, int[]>> postings() {
    // count first, then fill: one exact-size array per pair, ordinals ascending
    Map<String, Map<String, int[]>> counts = new HashMap<>();
    int[] perMetadata = new int[metadatas.size()];
    for (int m : metadataOf) {
      perMetadata[m]++;
    }
    for (int m = 0; m < metadatas.size(); m++) {
      for (Map.Entry<String, String> e : metadatas.get(m).entrySet()) {
        counts.computeIfAbsent(e.getKey(), k -> new HashMap<>())
          .merge(e.getValue(), new int[] {perMetadata[m]}, (a, b) -> new int[] {a[0] + b[0]});
      }
    }
    Map<String, Map<String, int[]>> lists = new HashMap<>();
    Map<String, Map<String, int[]>> fill = new HashMap<>();
    counts.forEach((key, values) -> values.forEach((value, count) -> {
      lists.computeIfAbsent(key, k -> new HashMap<>()).put(value, new int[count[0]]);
      fill.computeIfAbsent(key, k -> new HashMap<>()).put(value, new int[1]);
    }));
    for (int ordinal = 0; ordinal < metadataOf.length; ordinal++) {
      for (Map.Entry<String, String> e : metadatas.get(metadataOf[ordinal]).entrySet()) {
        int[] at = fill.get(e.getKey()).get(e.getValue());
        lists.get(e.getKey()).get(e.getValue())[at[0]++] = ordinal;
      }
    }
    return lists;
  }

  private static int hash(byte[] b, int offset, int length) {
    return StringHelper.murmurhash3_x86_32(b, offset, length, 0x9747b28c);
  }
}
