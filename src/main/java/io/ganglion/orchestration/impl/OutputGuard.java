package io.ganglion.orchestration.impl;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reflex on the way out, in streamed output too: generated text is held back until a sentence is complete (with any
 * citation markers that follow it), inspected with direction {@code output}, and released redacted, in order. A
 * blocked sentence is replaced by {@value #WITHHELD}. The released text is the answer; nothing unreleased reaches the
 * client. With no reflex verticle the text passes at once.
 * <p>
 * <b>NOTE</b>: confined to the ask's event loop; deltas arrive there and inspections complete there.
 */
public final class OutputGuard {

  public static final String WITHHELD = "[withheld by policy]";
  // end of a sentence: terminal punctuation, optional closing quote/bracket and citation markers, then whitespace
  private static final Pattern BOUNDARY = Pattern.compile("[.!?][\"')\\]]*(\\s*\\[\\d{1,4}(\\s*,\\s*\\d{1,4})*])*\\s+|\\n");

  private final ReflexHook reflex;
  private final String tenant;
  private final String kb;
  private final Supplier<DeliveryOptions> hop;
  private final boolean enabled;
  private final Handler<String> release;
  private final StringBuilder pending = new StringBuilder();
  private final StringBuilder released = new StringBuilder();
  private Future<Void> tail = Future.succeededFuture();
  private int inspected;
  private int masked;
  private int blocked;
  private int failed;
  private long nanos;

  /**
   * @param tenant  whose text it is (selects the tenant's reflex overrides)
   * @param kb      the knowledge base it answers from, or {@code null}
   * @param hop     delivery options of each inspection (the caller's deadline)
   * @param enabled false when no reflex verticle is deployed: text passes at once
   * @param release receives the released text, in order
   */
  public OutputGuard(ReflexHook reflex, String tenant, String kb, Supplier<DeliveryOptions> hop, boolean enabled,
                     Handler<String> release) {
    this.reflex = reflex;
    this.tenant = tenant;
    this.kb = kb;
    this.hop = hop;
    this.enabled = enabled;
    this.release = release;
  }

  /** Takes one generated delta. */
  public void accept(String delta) {
    if (!enabled) {
      emit(delta);
      return;
    }
    pending.append(delta);
    Matcher m = BOUNDARY.matcher(pending);
    int cut = -1;
    while (m.find()) {
      cut = m.end();
    }
    if (cut > 0) {
      String sentence = pending.substring(0, cut);
      pending.delete(0, cut);
      inspect(sentence);
    }
  }

  /** Inspects what is left and completes when everything has been released. */
  public Future<String> finish() {
    if (enabled && !pending.isEmpty()) {
      inspect(pending.toString());
      pending.setLength(0);
    }
    return tail.map(v -> released.toString());
  }

  /** Whether a sentence was withheld by policy; read after {@link #finish()} completed. */
  boolean withheld() {
    return blocked > 0;
  }

  public JsonObject detail() {
    if (!enabled) {
      return new JsonObject().put("status", "skipped").put("reason", "no reflex verticle deployed");
    }
    return new JsonObject().put("status", failed > 0 ? "failed" : "ok").put("inspected", inspected)
      .put("masked", masked).put("blocked", blocked).put("inspectMs", Math.round(nanos / 1e5) / 10.0);
  }

  private void inspect(String text) {
    tail = tail.compose(v -> {
      long start = System.nanoTime();
      return reflex.inspect(text, "output", tenant, kb, hop.get()).map(inspection -> {
        nanos += System.nanoTime() - start;
        inspected++;
        switch (inspection.action()) {
          case "redact" -> masked++;
          case "block" -> blocked++;
          default -> { }
        }
        if ("failed".equals(inspection.status())) {
          failed++;
        }
        emit(inspection.blocked() ? WITHHELD + trailingSpace(text) : inspection.text());
        return null;
      });
    });
  }

  private void emit(String text) {
    if (text.isEmpty()) {
      return;
    }
    released.append(text);
    release.handle(text);
  }

  private static String trailingSpace(String text) {
    return !text.isEmpty() && Character.isWhitespace(text.charAt(text.length() - 1)) ? " " : "";
  }
}
