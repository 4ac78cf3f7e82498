package io.ganglion.orchestration.impl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Indirect-injection verdicts the reflex layer made at ask time, remembered so that a passage it had to inspect (no
 * verdict recorded at ingestion, or one recorded under other detector settings: every chunk ingested before a detector
 * upgrade) is inspected once, not on every ask that retrieves it. A verdict is kept under the reflex layer's
 * {@code markVersion} of the ask's tenant and knowledge base (its detector version, thresholds and override), the
 * chunk id and the exact text, and is handed back as that passage's mark: the reflex layer uses a mark only when its
 * version is its current one, so a detector or settings change makes every remembered verdict count for nothing.
 * Bounded ({@value #ENTRIES} verdicts, about 3 KB each with the text of the key).
 * <p>
 * Thread-safe (Caffeine); in practice used on the orchestrator's event loop.
 */
final class PassageVerdicts {

  static final int ENTRIES = 10_000;
  private static final int KB_ENTRIES = 10_000;

  private record Key(String markVersion, String chunkId, String text) {
  }

  /** A mark for each passage (the recorded one, or a remembered verdict), and which ones were remembered. */
  record Marks(List<JsonObject> marks, boolean[] remembered) {
  }

  private final Cache<Key, JsonObject> verdicts = Caffeine.newBuilder().maximumSize(ENTRIES).build();
  // the reflex layer's last markVersion per tenant and knowledge base: what a remembered verdict must have been made under
  private final Cache<String, String> versions = Caffeine.newBuilder().maximumSize(KB_ENTRIES).build();

  /**
   * The marks to send with {@code passages}: each passage's recorded verdict, replaced by a remembered one when it has
   * none under the settings of the last screening of {@code tenant}'s {@code kb}.
   */
  Marks marks(String tenant, String kb, List<Passage> passages) {
    String version = versions.getIfPresent(tenant + '\u0000' + kb);
    List<JsonObject> marks = new ArrayList<>(passages.size());
    boolean[] remembered = new boolean[passages.size()];
    for (int i = 0; i < passages.size(); i++) {
      Passage p = passages.get(i);
      JsonObject recorded = p.injection();
      JsonObject known = version == null || p.chunkId() == null
        || recorded != null && version.equals(recorded.getString("version")) ? null
        : verdicts.getIfPresent(new Key(version, p.chunkId(), p.text()));
      remembered[i] = known != null;
      marks.add(known != null ? known : recorded);
    }
    return new Marks(marks, remembered);
  }

  /**
   * Remembers the verdicts of {@code screen} (the reflex layer's reply for {@code passages}) that it made now
   * ({@code "source":"ask"}), and its {@code markVersion} for {@code tenant}'s {@code kb}.
   */
  void remember(String tenant, String kb, List<Passage> passages, JsonObject screen) {
    String version = screen.getString("markVersion");
    JsonArray made = screen.getJsonArray("passages");
    if (version == null || made == null || made.size() != passages.size()) {
      return;
    }
    versions.put(tenant + '\u0000' + kb, version);
    for (int i = 0; i < passages.size(); i++) {
      JsonObject verdict = made.getJsonObject(i);
      Passage p = passages.get(i);
      if (verdict != null && "ask".equals(verdict.getString("source")) && p.chunkId() != null) {
        JsonObject mark = verdict.copy().put("version", version);
        mark.remove("source");
        verdicts.put(new Key(version, p.chunkId(), p.text()), mark);
      }
    }
  }
}
