package io.ganglion.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** README's configuration table: every key it names exists, with the environment variable and default it states. */
@DisplayName("README's configuration table")
class ReadmeConfigTableTest {

  private static final Pattern TICKED = Pattern.compile("`([^`]+)`");
  private static final Pattern PLAIN = Pattern.compile("-?[0-9]+(\\.[0-9]+)?|true|false");

  @Test
  @DisplayName("names only keys of conf/ganglion.yaml, with their environment variables and plain defaults")
  void keysEnvironmentAndDefaults() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String table = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("The other sections"));
    JsonObject defaults = ConfigLoader.defaults();
    List<String> problems = new ArrayList<>();
    int rows = 0;
    for (String line : table.lines().filter(l -> l.startsWith("| `")).toList()) {
      rows++;
      String[] cols = line.substring(1).split(" \\| ");
      List<String> keys = keys(cols[0]);
      if (keys.stream().anyMatch(k -> k.contains("*") || k.contains("["))) {
        continue;
      }
      List<String> envNames = new ArrayList<>();
      for (String key : keys) {
        if (value(defaults, key) == null) {
          problems.add(key + ": not in conf/ganglion.yaml");
        }
        envNames.add(ConfigLoader.envName(key));
      }
      Matcher env = TICKED.matcher(cols[1]);
      while (env.find()) {
        String name = env.group(1);
        boolean matches = name.startsWith("...")
          ? envNames.stream().anyMatch(e -> e.endsWith(name.substring(3)))
          : envNames.contains(name);
        if (!matches) {
          problems.add(keys + ": environment variable " + name + " is not " + envNames);
        }
      }
      String[] stated = cols[2].replaceAll(" \\([^)]*\\)", "").split(", ");
      if (stated.length == keys.size() && !cols[2].contains(" = ")) { // "0 = 8, 16, ..." explains, not lists
        for (int i = 0; i < stated.length; i++) {
          Object actual = value(defaults, keys.get(i));
          if (PLAIN.matcher(stated[i].trim()).matches() && actual != null
            && !String.valueOf(actual).equals(stated[i].trim())) {
            problems.add(keys.get(i) + ": README says " + stated[i].trim() + ", conf/ganglion.yaml " + actual);
          }
        }
      }
    }
    assertThat(rows).as("rows of the configuration table").isGreaterThan(50);
    assertThat(problems).isEmpty();
  }

  /** The keys of a first column; {@code `.b`} after {@code `x.a`} is {@code x.b}. */
  private static List<String> keys(String column) {
    List<String> keys = new ArrayList<>();
    String parent = "";
    Matcher m = TICKED.matcher(column);
    while (m.find()) {
      String key = m.group(1);
      if (key.startsWith(".")) {
        key = parent + key;
      } else if (key.contains(".")) {
        parent = key.substring(0, key.lastIndexOf('.'));
      }
      keys.add(key);
    }
    return keys;
  }

  private static Object value(JsonObject tree, String key) {
    Object node = tree;
    for (String part : key.split("\\.")) {
      if (!(node instanceof JsonObject object) || !object.containsKey(part)) {
        return null;
      }
      node = object.getValue(part);
    }
    return node;
  }
}
