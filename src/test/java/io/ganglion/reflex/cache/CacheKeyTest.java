package io.ganglion.reflex.cache;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Cache keys")
class CacheKeyTest {

  private static JsonObject ask(String question) {
    return new JsonObject().put("tenant", "t1").put("kb", "handbook").put("question", question);
  }

  @Test
  @DisplayName("questions are case-folded, whitespace-collapsed and lose trailing sentence punctuation only")
  void normalises() {
    assertThat(CacheKey.normalise("  How MANY\tvacation\n\ndays?! ")).isEqualTo("how many vacation days");
    assertThat(CacheKey.normalise("What is C#?")).isEqualTo("what is c#");
    assertThat(CacheKey.normalise("Is it 50%")).isEqualTo("is it 50%");
    assertThat(CacheKey.normalise("Why . . .")).isEqualTo("why");
    assertThat(CacheKey.normalise("?")).isEmpty();
  }

  @Test
  @DisplayName("questions that normalise alike share a key; tenant, KB, version, generator, k, filter and history each split it")
  void keys() {
    String base = CacheKey.of(ask("How many vacation days?"), "v1");
    assertThat(CacheKey.of(ask("how many  vacation days"), "v1")).isEqualTo(base);
    assertThat(CacheKey.of(ask("How many vacation days?").put("history", new JsonArray()), "v1")).isEqualTo(base);

    assertThat(CacheKey.of(ask("How many vacation days?"), "v2")).isNotEqualTo(base);
    assertThat(CacheKey.of(ask("How many vacation days?").put("tenant", "t2"), "v1")).isNotEqualTo(base);
    assertThat(CacheKey.of(ask("How many vacation days?").put("kb", "other"), "v1")).isNotEqualTo(base);
    assertThat(CacheKey.of(ask("How many vacation days?").put("generator", "openai"), "v1")).isNotEqualTo(base);
    assertThat(CacheKey.of(ask("How many vacation days?").put("k", 3), "v1")).isNotEqualTo(base);
    assertThat(CacheKey.of(ask("How many vacation days?").put("filter", new JsonObject().put("a", "1")), "v1"))
      .isNotEqualTo(base);
    assertThat(CacheKey.of(ask("How many vacation days?").put("history", new JsonArray()
      .add(new JsonObject().put("role", "user").put("content", "hi"))), "v1")).isNotEqualTo(base);
  }

  @Test
  @DisplayName("filters are keyed regardless of their key order, and fields cannot bleed into each other")
  void canonical() {
    JsonObject ab = ask("q").put("filter", new JsonObject().put("a", "1").put("b", "2"));
    JsonObject ba = ask("q").put("filter", new JsonObject().put("b", "2").put("a", "1"));
    assertThat(CacheKey.of(ab, "v")).isEqualTo(CacheKey.of(ba, "v"));
    assertThat(CacheKey.of(ask("q").put("tenant", "t").put("kb", "1kb"), "v"))
      .isNotEqualTo(CacheKey.of(ask("q").put("tenant", "t1").put("kb", "kb"), "v"));
  }
}
