package io.ganglion.reflex.rules;

import io.ganglion.LogCapture;
import io.ganglion.reflex.ReflexRulesConfig;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("The rule book")
class RuleBookTest {

  private static final List<Rule> INLINE = RuleParser.parse(new io.vertx.core.json.JsonArray(
    "[{\"name\":\"inline\",\"match\":{\"keywords\":[\"x\"]},\"action\":\"block\"}]"), "reflex.rules");

  @Test
  @DisplayName("the rules file replaces the inline rules, is re-read when it changes, and a bad file keeps the rules in force")
  void reloads(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.yaml");
    write(file, "- {name: one, match: {keywords: [alpha]}, action: answer, message: A}\n", 1);
    RuleBook book = new RuleBook(vertx, new ReflexRulesConfig(INLINE, file.toString(), 100));
    book.start().await();
    assertThat(names(book)).containsExactly("one");
    assertThat(book.first("kb", "Alpha?")).map(Rule::message).contains("A");

    write(file, "rules:\n  - {name: two, match: {regex: beta}, action: block}\n", 2);
    await(() -> names(book).equals(List.of("two")));

    try (LogCapture log = LogCapture.of(RuleBook.class)) {
      write(file, "rules: [{name: three, match: {regex: \"(\"}, action: block}]\n", 3);
      await(() -> log.logged("not loaded, keeping the 1 rules in force"));
    }
    assertThat(names(book)).containsExactly("two");

    Files.delete(file);
    await(() -> names(book).equals(List.of("inline")));
    book.stop();
  }

  @Test
  @DisplayName("a JSON rules file is read as JSON")
  void json(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("rules.json");
    write(file, "{\"rules\":[{\"name\":\"j\",\"match\":{\"keywords\":[\"json\"]},\"action\":\"block\"}]}", 1);
    RuleBook book = new RuleBook(vertx, new ReflexRulesConfig(INLINE, file.toString(), 100));
    book.start().await();
    assertThat(names(book)).containsExactly("j");
    book.stop();
  }

  private static List<String> names(RuleBook book) {
    return book.rules().stream().map(Rule::name).toList();
  }

  /**
   * Writes beside the file and moves it into place (as an operator's editor or deploy does), with its modification
   * time moved forward so a change is seen even on coarse-grained file systems: the periodic check never reads a
   * half-written file, which it did when the file was rewritten in place (an empty read loaded 0 rules).
   */
  private static void write(Path file, String text, int generation) throws Exception {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, text);
    Files.setLastModifiedTime(next, FileTime.from(Instant.now().plusSeconds(generation * 10L)));
    Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static void await(java.util.concurrent.Callable<Boolean> condition) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(condition);
  }
}
