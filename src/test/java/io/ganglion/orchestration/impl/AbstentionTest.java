package io.ganglion.orchestration.impl;

import io.ganglion.orchestration.OrchestrationConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The extractive generator's abstention on the real bge-small model, in process ({@link ExtractiveReplica}): every
 * question of both paraphrase sets, embedded alone and inside a batch of 16 mixed-length texts, in this fresh JVM with
 * no cache. Pins how little the decision's log-odds move with the batch, that a decision taken with a margin does not
 * move at all, and what it decides on the report set, which the bundled model never saw.
 */
@DisplayName("Abstention of the extractive generator on paraphrase sets")
class AbstentionTest {

  private static final double CUT = OrchestrationConfig.from(new JsonObject()).minConfidence();

  private static ExtractiveReplica replica;
  private static AbstentionModel model;
  private static final List<Asked> asked = new ArrayList<>();

  /** One question asked both ways. */
  record Asked(ParaphraseSet set, ExtractiveReplica.Assessed alone, ExtractiveReplica.Assessed batched) {
  }

  @BeforeAll
  static void askEverything() throws Exception {
    replica = new ExtractiveReplica();
    model = AbstentionModel.bundled();
    for (String name : List.of(ParaphraseSet.FIT, ParaphraseSet.REPORT)) {
      ParaphraseSet set = ParaphraseSet.load(name);
      replica.ingest(set);
      replica.embedSentences(set);
      List<ParaphraseSet.Question> questions = set.questions();
      for (int from = 0; from < questions.size(); from += 8) {
        List<ParaphraseSet.Question> group = questions.subList(from, Math.min(questions.size(), from + 8));
        List<float[]> batched = replica.inBatch(group.stream().map(ParaphraseSet.Question::text).toList(), 1000 + from);
        for (int i = 0; i < group.size(); i++) {
          ParaphraseSet.Question q = group.get(i);
          asked.add(new Asked(set, replica.assess(set, q, replica.alone(q.text()), model),
            replica.assess(set, q, batched.get(i), model)));
        }
      }
    }
  }

  @AfterAll
  static void close() throws Exception {
    replica.close();
  }

  /**
   * The most the log-odds may move between the question alone and batched (measured: up to 0.65 on one machine, 0.82
   * on a 2-vCPU AMD EPYC one, where ONNX Runtime's batched kernels round differently).
   */
  static final double JITTER = 1.0;

  @Test
  @DisplayName("the log-odds of a question move by less than 1.0 between alone and inside a batch of 16 mixed-length texts")
  void signalsBarelyMove() {
    double worst = 0;
    for (Asked a : asked) {
      worst = Math.max(worst, Math.abs(a.alone().logit() - a.batched().logit()));
    }
    System.out.printf(Locale.ROOT, "abstention: %d questions, largest log-odds change alone vs batched %.3f%n",
      asked.size(), worst);
    assertThat(worst).isLessThan(JITTER);
  }

  @Test
  @DisplayName("a question decided with a margin (log-odds farther than 1.0 from the cut) gets the same decision in a batch")
  void stableWithAMargin() {
    double cut = Math.log(CUT / (1 - CUT));
    int near = 0;
    int flipped = 0;
    for (Asked a : asked) {
      boolean margin = Math.abs(a.alone().logit() - cut) > JITTER;
      if (margin) {
        assertThat(a.batched().answers()).as("%s: alone log-odds %.3f, batched %.3f", a.alone().question().text(),
          a.alone().logit(), a.batched().logit()).isEqualTo(a.alone().answers());
      } else {
        near++;
        flipped += a.batched().answers() != a.alone().answers() ? 1 : 0;
      }
    }
    System.out.printf(Locale.ROOT, "abstention: %d of %d questions within %.1f of the cut, %d of them flipped%n",
      near, asked.size(), JITTER, flipped);
    assertThat(near).as("questions without a margin").isLessThan(asked.size() / 5);
  }

  // The goal is 95% answered and 95% abstained; measured on the report set: 37/40 answered, 19/20 unrelated
  // abstained (bench/RESULTS.md). These floors pin what the bundled model achieves, so a change that loses it fails.
  static final double ANSWERED = 0.9;
  static final double ABSTAINED = 0.95;

  @Test
  @DisplayName("on the report set it answers at least 90% of the paraphrased questions, nine in ten from the right document")
  void answersParaphrases() {
    List<Asked> answerable = of(ParaphraseSet.REPORT, q -> q.answerable());
    long answered = answerable.stream().filter(a -> a.alone().answers()).count();
    long rightDocument = answerable.stream()
      .filter(a -> a.alone().answers() && a.alone().bestDocument().equals(a.alone().question().documentId())).count();
    report("answerable", answerable);
    System.out.printf(Locale.ROOT, "abstention, report set: %d of %d answers quote the document that answers%n",
      rightDocument, answered);
    assertThat(answered).isGreaterThanOrEqualTo(Math.round(Math.ceil(ANSWERED * answerable.size())));
    assertThat(rightDocument).as("answered from the document that answers it")
      .isGreaterThanOrEqualTo(Math.round(Math.ceil(0.9 * answered)));
  }

  @Test
  @DisplayName("on the report set it abstains on at least 95% of the questions about other subjects")
  void abstainsOffTopic() {
    List<Asked> unrelated = of(ParaphraseSet.REPORT, q -> "unrelated".equals(q.kind()));
    report("unrelated", unrelated);
    report("near", of(ParaphraseSet.REPORT, q -> "near".equals(q.kind())));
    assertThat(unrelated.stream().filter(a -> !a.alone().answers()).count())
      .isGreaterThanOrEqualTo(Math.round(Math.ceil(ABSTAINED * unrelated.size())));
  }

  private static List<Asked> of(String set, Predicate<ParaphraseSet.Question> which) {
    return asked.stream().filter(a -> a.set().name().equals(set) && which.test(a.alone().question())).toList();
  }

  private static void report(String kind, List<Asked> questions) {
    long answered = questions.stream().filter(a -> a.alone().answers()).count();
    System.out.printf(Locale.ROOT, "abstention, report set, %s: %d of %d answered%n", kind, answered, questions.size());
    for (Asked a : questions) {
      if (a.alone().answers() != a.alone().question().answerable()) {
        System.out.printf(Locale.ROOT, "  %s (logit %.2f) %s%n", a.alone().answers() ? "answered" : "abstained",
          a.alone().logit(), a.alone().question().text());
      }
    }
  }
}
