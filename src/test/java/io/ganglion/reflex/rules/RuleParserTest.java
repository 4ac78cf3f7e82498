package io.ganglion.reflex.rules;

import io.ganglion.config.ConfigException;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Reflex rules")
class RuleParserTest {

  private static List<Rule> parse(String json) {
    return RuleParser.parse(new JsonArray(json), "reflex.rules");
  }

  @Test
  @DisplayName("keywords match whole words and phrases, case-insensitively, and a regex matches anywhere")
  void matching() {
    List<Rule> rules = parse("""
      [{"name":"pay","match":{"keywords":["salary","pay slip"]},"action":"block","message":"Ask HR."},
       {"name":"hi","match":{"regex":"^(hi|hello)\\\\b"},"action":"answer","message":"Hello!"}]""");
    Rule pay = rules.get(0);
    assertThat(pay.matches("any", "What is my SALARY?")).isTrue();
    assertThat(pay.matches("any", "where is my pay   slip")).isTrue();
    assertThat(pay.matches("any", "salaryman films")).isFalse();
    Rule hi = rules.get(1);
    assertThat(hi.matches("any", "Hello there")).isTrue();
    assertThat(hi.matches("any", "Say hello")).isFalse();
    assertThat(hi.message()).isEqualTo("Hello!");
  }

  @Test
  @DisplayName("a rule with kbs applies only to those knowledge bases; a route keeps its target, a block gets a default message")
  void scopesAndActions() {
    List<Rule> rules = parse("""
      [{"name":"legal","match":{"keywords":["contract"]},"kbs":["handbook"],"action":"route","kb":"legal","generator":"extractive"},
       {"name":"no","match":{"keywords":["secret"]},"action":"block"}]""");
    Rule legal = rules.get(0);
    assertThat(legal.matches("handbook", "my contract")).isTrue();
    assertThat(legal.matches("other", "my contract")).isFalse();
    assertThat(legal.kb()).isEqualTo("legal");
    assertThat(legal.generator()).isEqualTo("extractive");
    assertThat(legal.message()).isNull();
    assertThat(rules.get(1).message()).contains("no");
  }

  @Test
  @DisplayName("every mistake is refused with the key of the offending entry")
  void errors() {
    assertThatThrownBy(() -> parse("[{\"name\":\"a\",\"match\":{\"regex\":\"(\"},\"action\":\"block\"}]"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("reflex.rules[0].match.regex");
    assertThatThrownBy(() -> parse("[{\"name\":\"a\",\"match\":{\"keywords\":[\"x\"]},\"action\":\"answer\"}]"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("reflex.rules[0].message");
    assertThatThrownBy(() -> parse("[{\"name\":\"a\",\"match\":{\"keywords\":[\"x\"]},\"action\":\"route\"}]"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("reflex.rules[0]");
    assertThatThrownBy(() -> parse("[{\"name\":\"a\",\"match\":{},\"action\":\"block\"}]"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("reflex.rules[0].match");
    assertThatThrownBy(() -> parse("[{\"name\":\"a\",\"match\":{\"keywords\":[\"x\"]},\"action\":\"explode\"}]"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("reflex.rules[0].action");
    assertThatThrownBy(() -> parse("""
      [{"name":"a","match":{"keywords":["x"]},"action":"block"},{"name":"a","match":{"keywords":["y"]},"action":"block"}]"""))
      .isInstanceOf(ConfigException.class).hasMessageContaining("reflex.rules[1].name");
  }
}
