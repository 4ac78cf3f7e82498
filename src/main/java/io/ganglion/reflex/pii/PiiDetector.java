package io.ganglion.reflex.pii;

import java.util.List;

/**
 * Finds one family of personal data or secrets in a text.
 * <p>
 * <b>NOTE</b>: implementations are immutable and thread-safe, and run on the event loop: they must not block and
 * should cost a few nanoseconds per character on text that contains nothing of their kind.
 */
public interface PiiDetector {

  /**
   * Appends every finding in {@code text} to {@code out}, in any order. Findings of one detector may overlap those
   * of another; {@link PiiScanner} resolves that.
   */
  void detect(String text, List<Finding> out);
}
