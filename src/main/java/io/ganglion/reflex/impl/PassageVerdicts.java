package io.ganglion.reflex.impl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Indirect-injection verdicts made at ask time ({@code ganglion.reflex.inspect.passages}), remembered so that a
 * passage without a current recorded verdict (none recorded at ingestion, or one recorded under other detector
 * settings: every chunk ingested before a detector upgrade) is inspected once, not on every ask that retrieves it.
 * A verdict is kept under the {@code markVersion} it was made under (detector version, thresholds and the override of
 * the tenant and knowledge base) and the exact text, and is used as that passage's mark: a detector or settings change
 * gives another {@code markVersion}, so every remembered verdict then counts for nothing. Sized by
 * {@code reflex.verdicts} (at most {@code maxEntries} verdicts, texts up to {@code maxChars}).
 * <p>
 * Thread-safe (Caffeine); used on the reflex verticle's event loop.
 */
public final class PassageVerdicts {

  private record Key(String markVersion, String text) {
  }

  /** The marks to inspect with (recorded or remembered), and which ones were remembered. */
  public record Marks(List<JsonObject> marks, boolean[] remembered) {
  }

  private final Cache<Key, JsonObject> verdicts;
  private final int maxChars;

  public PassageVerdicts(int maxEntries, int maxChars) {
    this.verdicts = Caffeine.newBuilder().maximumSize(maxEntries).build();
    this.maxChars = maxChars;
  }

  /**
   * Each text's mark: its {@code recorded} verdict (aligned with {@code texts}, or {@code null}) when that is current
   * under {@code markVersion}, else one remembered for the same text under it, else the recorded one as it was.
   */
  public Marks marks(String markVersion, List<String> texts, List<JsonObject> recorded) {
    List<JsonObject> marks = new ArrayList<>(texts.size());
    boolean[] remembered = new boolean[texts.size()];
    for (int i = 0; i < texts.size(); i++) {
      JsonObject mark = recorded == null ? null : recorded.get(i);
      String text = texts.get(i);
      JsonObject known = mark != null && markVersion.equals(mark.getString("version")) || text.length() > maxChars
        ? null : verdicts.getIfPresent(new Key(markVersion, text));
      remembered[i] = known != null;
      marks.add(known != null ? known : mark);
    }
    return new Marks(marks, remembered);
  }

  /**
   * Remembers the verdicts of {@code reply} (for {@code texts}, inspected with {@code marks}) made now
   * ({@code "source":"ask"}), and labels the remembered ones {@code "source":"remembered"} in it.
   */
  public JsonObject remember(List<String> texts, Marks marks, JsonObject reply) {
    String version = reply.getString("markVersion");
    JsonArray passages = reply.getJsonArray("passages");
    for (int i = 0; i < texts.size(); i++) {
      JsonObject verdict = passages.getJsonObject(i);
      String source = verdict.getString("source");
      if (marks.remembered()[i] && "ingest".equals(source)) {
        verdict.put("source", "remembered");
      } else if ("ask".equals(source) && texts.get(i).length() <= maxChars) {
        JsonObject mark = verdict.copy().put("version", version);
        mark.remove("source");
        verdicts.put(new Key(version, texts.get(i)), mark);
      }
    }
    return reply;
  }
}
