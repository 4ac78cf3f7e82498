package io.ganglion.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.ganglion.bus.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** verticles.md is the authoritative event-bus contract: its tables must say what the code does. */
@DisplayName("verticles.md's contract tables")
class VerticlesDocTest {

  private static final Path DOC = Path.of("verticles.md");

  @Test
  @DisplayName("the failure-code table lists exactly ErrorCode's codes, HTTP statuses and slugs")
  void failureCodes() throws IOException {
    Pattern row = Pattern.compile("^\\s*\\| (\\d{4}) \\| (\\d{3}) \\| `([a-z_]+)` \\|");
    List<String> documented = new ArrayList<>();
    for (String line : Files.readAllLines(DOC)) {
      Matcher m = row.matcher(line);
      if (m.find()) {
        documented.add(m.group(1) + " " + m.group(2) + " " + m.group(3));
      }
    }
    assertThat(documented).containsExactlyElementsOf(
      Arrays.stream(ErrorCode.values()).map(c -> c.code() + " " + c.status() + " " + c.slug()).toList());
  }

  @Test
  @DisplayName("the public addresses are exactly those the bridge permits")
  void publicAddresses() throws IOException {
    String row = Files.readAllLines(DOC).stream().filter(l -> l.startsWith("| **public**")).findFirst().orElseThrow();
    String addresses = row.split("\\|")[2];
    List<String> documented = new ArrayList<>();
    String base = null;
    Matcher m = Pattern.compile("`([a-z.]+)`").matcher(addresses);
    while (m.find()) {
      String address = m.group(1);
      if (address.startsWith(".")) {
        address = base + address;
      } else {
        String[] parts = address.split("\\.");
        base = parts[0] + "." + parts[1];
      }
      documented.add(address);
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(BridgeGate.SCOPES.keySet());
  }

  @Test
  @DisplayName("README's error contract names every HTTP status and slug of ErrorCode")
  void readmeErrorList() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("Every error is");
    String contract = readme.substring(start, readme.indexOf("On the OpenAI-compatible", start)).replace("\n", " ");
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(contract).as("README's error list, for %s", code).contains(String.valueOf(code.status()))
        .contains("`" + code.slug() + "`");
    }
  }
}
