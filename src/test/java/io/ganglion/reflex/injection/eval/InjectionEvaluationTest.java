package io.ganglion.reflex.injection.eval;

import io.ganglion.reflex.injection.CascadeThresholds;
import io.ganglion.reflex.injection.InjectionDetector;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class InjectionEvaluationTest {

  @Test
  @DisplayName("on the held-out set (never trained on) the in-process cascade reaches F1 0.85 at precision 0.90, and every family and language is found")
  void heldOut() {
    InjectionEvaluation.Report r = InjectionEvaluation.heldOut(CascadeThresholds.DEFAULTS);
    System.out.println(r.table());
    assertThat(r.all().precision()).as(r.errors().toString()).isGreaterThanOrEqualTo(0.90);
    assertThat(r.all().f1()).as(r.errors().toString()).isGreaterThanOrEqualTo(0.85);
    for (String lang : List.of("en", "de", "es", "fr", "it", "pt", "nl")) {
      assertThat(r.slices().get("lang:" + lang).recall()).as(lang).isGreaterThanOrEqualTo(0.6);
    }
    for (String family : List.of("override", "roleplay", "leak", "splitting", "obfuscation", "translation", "indirect")) {
      assertThat(r.slices().get("family:" + family).tp).as(family).isPositive();
    }
  }

  @Test
  @DisplayName("of the 70 everyday look-alikes of the second held-out benign set (never trained on), at most one is "
    + "flagged and at most 3 (4.3%) go past the first stage")
  void benignLookAlikes() {
    InjectionEvaluation.Report r = InjectionEvaluation.benignTwo(CascadeThresholds.DEFAULTS);
    assertThat(r.all().tn + r.all().fp).isEqualTo(70);
    assertThat(r.all().fp).as(r.errors().toString()).isLessThanOrEqualTo(1);
    assertThat(r.all().pastFirstStage).isLessThanOrEqualTo(3);
  }

  @Test
  @DisplayName("on the third held-out set (trigger-word look-alikes and attacks in seven languages, never trained on), "
    + "no look-alike is flagged, at most 2 of 42 go past the first stage, and every attack is found")
  void triggerWordLookAlikes() {
    InjectionEvaluation.Report r = InjectionEvaluation.benignThree(CascadeThresholds.DEFAULTS);
    assertThat(r.all().tn + r.all().fp).isEqualTo(42);
    assertThat(r.all().fp).as(r.errors().toString()).isZero();
    assertThat(r.all().pastFirstStage).isLessThanOrEqualTo(2);
    assertThat(r.all().recall()).as(r.errors().toString()).isEqualTo(1.0);
  }

  @Test
  @DisplayName("on document passages written apart from the training set, at most 1 benign passage in 15 is flagged and "
    + "every passage carrying instructions to the AI is")
  void passages() {
    InjectionEvaluation.Report r = InjectionEvaluation.passages(CascadeThresholds.DEFAULTS);
    InjectionEvaluation.Counts benign = r.slices().get("family:benign");
    assertThat((double) benign.fp / (benign.fp + benign.tn)).as(r.errors().toString()).isLessThanOrEqualTo(1.0 / 15);
    assertThat(r.slices().get("family:indirect").recall()).as(r.errors().toString()).isEqualTo(1.0);
  }

  @Test
  @DisplayName("screened as ingestion screens them, at most 1% of the SciFact report half's chunks (benign abstracts, never "
    + "tuned on) are flagged, and at least 62% of the held-out attacks planted into its chunks are found")
  void scifactPassages() {
    assumeTrue(PassageScreeningEvaluation.available(), "SciFact corpus not on this machine: "
      + PassageScreeningEvaluation.CORPUS);
    CascadeThresholds t = CascadeThresholds.DEFAULTS;
    InjectionDetector detector = InjectionDetector.bundled();
    PassageScreeningEvaluation.Result r = PassageScreeningEvaluation.evaluate(PassageScreeningEvaluation.Half.REPORT,
      PassageScreeningEvaluation.chunks(PassageScreeningEvaluation.Half.REPORT),
      text -> detector.detectPassage(text, t, null), t);
    System.out.println(r.row(detector.version()));
    assertThat(r.chunks()).isGreaterThan(4000);
    assertThat(r.flaggedShare()).as(r.flaggedTexts().toString()).isLessThanOrEqualTo(0.01);
    assertThat(r.recall()).isGreaterThanOrEqualTo(0.62);
  }

  @Test
  @DisplayName("5-fold cross-validation of the whole cascade reaches F1 0.88 at precision 0.90")
  void crossValidated() {
    InjectionEvaluation.Report r = InjectionEvaluation.crossValidate(5, 20240611L, CascadeThresholds.DEFAULTS);
    assertThat(r.all().precision()).isGreaterThanOrEqualTo(0.90);
    assertThat(r.all().f1()).isGreaterThanOrEqualTo(0.88);
  }
}
