package io.ganglion.reflex.injection;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The labelled prompts the detectors learn from, kept in the repository at
 * {@code src/main/resources/reflex/injection-dataset.tsv}: one {@code label<TAB>lang<TAB>family<TAB>text} per line,
 * {@code #} starts a comment. {@link #training} adds the variants {@link InjectionAugmentation} derives from them.
 */
public final class InjectionDataset {

  /** The classpath location of the bundled dataset. */
  public static final String RESOURCE = "/reflex/injection-dataset.tsv";

  private InjectionDataset() {
  }

  /** The hand-written examples, in file order. */
  public static List<LabelledText> bundled() {
    return read(RESOURCE);
  }

  /** The hand-written examples followed by their derived variants: what the bundled detector is trained on. */
  public static List<LabelledText> training() {
    return InjectionAugmentation.withVariants(bundled());
  }

  /** A dataset in this format from the classpath ({@code resource} such as {@code /injection-eval/heldout.tsv}). */
  public static List<LabelledText> read(String resource) {
    try (InputStream in = InjectionDataset.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the classpath");
      }
      return parse(resource, new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<LabelledText> parse(String name, BufferedReader reader) throws IOException {
    List<LabelledText> examples = new ArrayList<>();
    String line;
    int number = 0;
    while ((line = reader.readLine()) != null) {
      number++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\t", 4);
      if (fields.length != 4 || fields[3].isBlank()) {
        throw new IllegalStateException(name + ":" + number + ": expected label<TAB>lang<TAB>family<TAB>text");
      }
      examples.add(new LabelledText(fields[0], fields[1], fields[2], fields[3]));
    }
    return examples;
  }
}
