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
 * The labelled prompts the classifier learns from, kept in the repository at
 * {@code src/main/resources/reflex/injection-dataset.tsv}: one {@code label<TAB>lang<TAB>text} per line,
 * {@code #} starts a comment.
 */
public final class InjectionDataset {

  /** The classpath location of the bundled dataset. */
  public static final String RESOURCE = "/reflex/injection-dataset.tsv";

  private InjectionDataset() {
  }

  /** The bundled dataset, in file order. */
  public static List<LabelledText> bundled() {
    try (InputStream in = InjectionDataset.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<LabelledText> parse(BufferedReader reader) throws IOException {
    List<LabelledText> examples = new ArrayList<>();
    String line;
    int number = 0;
    while ((line = reader.readLine()) != null) {
      number++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\t", 3);
      if (fields.length != 3 || fields[2].isBlank()) {
        throw new IllegalStateException(RESOURCE + ":" + number + ": expected label<TAB>lang<TAB>text");
      }
      examples.add(new LabelledText(fields[0], fields[1], fields[2]));
    }
    return examples;
  }
}
