package io.ganglion.reflex.pii;

import java.util.ArrayList;
import java.util.List;

/**
 * Redacts a stream of output chunks (LLM tokens) so that PII split across chunk boundaries is still caught.
 * <p>
 * Each {@link #push} returns the text that is now safe to emit, already redacted, and holds back a bounded tail:
 * the last {@code holdback} characters, stretched back so it never splits a whitespace-free token (an address, a
 * key, a JWT still arriving; at most {@code maxHold} characters) or a finding. {@link #finish} flushes the rest.
 * The concatenated output equals redacting the whole text at once, for every type whose matches span at most
 * {@code holdback} characters including their inner spaces (all built-in types at the default 64).
 * <p>
 * <b>NOTE</b>: one instance per stream, used from one thread (the event loop of the request); not thread-safe.
 */
public final class StreamingRedactor {

  /** Longer than any built-in match that contains spaces (a grouped IBAN is at most 42 characters). */
  public static final int DEFAULT_HOLDBACK = 64;
  /** How far back the tail may stretch to keep a whitespace-free token whole. */
  public static final int DEFAULT_MAX_HOLD = 4096;

  private final PiiScanner scanner;
  private final Redactor redactor;
  private final int holdback;
  private final int maxHold;
  private final StringBuilder pending = new StringBuilder();
  private final List<Finding> findings = new ArrayList<>();
  private int emittedChars;

  public StreamingRedactor(PiiScanner scanner, Redactor redactor, int holdback, int maxHold) {
    if (holdback < 1 || maxHold < holdback) {
      throw new IllegalArgumentException("need 1 <= holdback <= maxHold");
    }
    this.scanner = scanner;
    this.redactor = redactor;
    this.holdback = holdback;
    this.maxHold = maxHold;
  }

  public StreamingRedactor(PiiScanner scanner, Redactor redactor) {
    this(scanner, redactor, DEFAULT_HOLDBACK, DEFAULT_MAX_HOLD);
  }

  /** Adds {@code chunk}; returns the redacted text that can be emitted now, possibly empty. */
  public String push(String chunk) {
    pending.append(chunk);
    if (pending.length() <= holdback) {
      return "";
    }
    return drain(false);
  }

  /** Ends the stream; returns the redacted remainder. */
  public String finish() {
    return pending.isEmpty() ? "" : drain(true);
  }

  /** Every finding emitted so far, with offsets into the whole original stream, in order. */
  public List<Finding> findings() {
    return List.copyOf(findings);
  }

  private String drain(boolean last) {
    String text = pending.toString();
    List<Finding> found = scanner.scan(text);
    int cut = last ? text.length() : safeCut(text, found);
    if (cut <= 0) {
      return "";
    }
    List<Finding> emitted = new ArrayList<>();
    for (Finding f : found) {
      if (f.end() <= cut) {
        emitted.add(f);
        findings.add(new Finding(f.type(), f.start() + emittedChars, f.end() + emittedChars, f.score()));
      }
    }
    String out = redactor.redact(text.substring(0, cut), emitted);
    pending.delete(0, cut);
    emittedChars += cut;
    return out;
  }

  private int safeCut(String text, List<Finding> found) {
    int cut = text.length() - holdback;
    int floor = Math.max(0, text.length() - maxHold);
    while (cut > floor && !Character.isWhitespace(text.charAt(cut - 1)) && !Character.isWhitespace(text.charAt(cut))) {
      cut--;
    }
    // findings are sorted and disjoint: walking backwards, each one can only pull the cut further back
    for (int i = found.size() - 1; i >= 0; i--) {
      Finding f = found.get(i);
      if (f.start() < cut && f.end() > cut) {
        cut = f.start();
      }
    }
    return cut;
  }
}
