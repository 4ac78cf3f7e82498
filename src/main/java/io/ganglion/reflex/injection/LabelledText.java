package io.ganglion.reflex.injection;

/**
 * One example of the injection dataset: {@code injection} or {@code benign}, its language, its family (the attack
 * family of an injection, {@code benign} or {@code lookalike} for a benign prompt), and the prompt.
 */
public record LabelledText(String label, String lang, String family, String text) {

  public static final String INJECTION = "injection";
  public static final String BENIGN = "benign";

  public LabelledText {
    if (!INJECTION.equals(label) && !BENIGN.equals(label)) {
      throw new IllegalArgumentException("label must be injection or benign, got '" + label + "'");
    }
  }

  public boolean isInjection() {
    return INJECTION.equals(label);
  }
}
