package io.ganglion.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The configuration keys operators set")
class ConfigKeysTest {

  @Test
  @DisplayName("the leaf keys of conf/ganglion.yaml and their environment variables match the committed list (config-keys.tsv)")
  void keysAndEnvironmentNamesAreStable() throws IOException {
    Map<String, String> committed;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("config-keys.tsv")) {
      committed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .map(line -> line.split("\t"))
        .collect(Collectors.toMap(cols -> cols[0], cols -> cols[1]));
    }
    List<String> keys = ConfigLoader.leafKeys(ConfigLoader.defaults(), "");

    assertThat(keys)
      .as("conf/ganglion.yaml's keys; a key added or renamed on purpose goes into src/test/resources/config-keys.tsv")
      .containsExactlyInAnyOrderElementsOf(committed.keySet());
    assertThat(keys).allSatisfy(key -> assertThat(ConfigLoader.envName(key)).as(key).isEqualTo(committed.get(key)));
  }
}
