package io.ganglion.reflex.impl;

import io.ganglion.reflex.Direction;
import io.ganglion.reflex.Inspector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The reflex layer's share of the warm-up at start: a few rounds of built-in texts (a question, passages, answer
 * sentences) through the {@link Inspector} itself, not through the bus, so the first real questions and the first
 * passages screened after a restart do not pay for loading and compiling the normaliser, the rules and the detector.
 * It touches no state: the inspector keeps none, and the verticle's verdict memory and meters are not involved.
 * Bounded by {@value #ROUNDS} rounds or {@value #BUDGET_MS} ms, whichever comes first.
 * <p>
 * <b>NOTE</b>: blocking; run it on a worker.
 */
public final class DetectorWarmup {

  private static final Logger LOG = LoggerFactory.getLogger(DetectorWarmup.class);
  static final int ROUNDS = 20;
  static final long BUDGET_MS = 1_000;
  static final String QUESTION = "Which treatments reduced the risk of complications in the patients who were studied?";
  static final List<String> PASSAGES = List.of(
    "The study followed 1,200 adults for five years. Participants who exercised three times a week had lower blood "
      + "pressure, and the effect was larger in older groups. Samples were collected at each visit and analysed "
      + "in one laboratory.",
    "Cells exposed to the compound divided more slowly. The authors measured protein levels with two methods; both "
      + "showed a reduction of about a third, which persisted after the treatment stopped.",
    "Backups run every night at two. When the database is down, the on-call engineer is paged and cached answers "
      + "keep being served.");
  static final String ANSWER = "Participants who exercised three times a week had lower blood pressure.";

  private DetectorWarmup() {
  }

  /** Runs the rounds; returns how many ran. */
  public static int run(Inspector inspector) {
    long started = System.nanoTime();
    int rounds = 0;
    while (rounds < ROUNDS && (System.nanoTime() - started) / 1_000_000 < BUDGET_MS) {
      inspector.inspect(QUESTION + " (" + rounds + ")", Direction.INPUT, inspector.newRedactor(Direction.INPUT), null,
        null);
      inspector.inspectPassages(PASSAGES, null, null, null);
      inspector.inspect(ANSWER, Direction.OUTPUT, inspector.newRedactor(Direction.OUTPUT), null, null);
      rounds++;
    }
    LOG.info("reflex warm-up: {} rounds in {} ms", rounds, (System.nanoTime() - started) / 1_000_000);
    return rounds;
  }
}
