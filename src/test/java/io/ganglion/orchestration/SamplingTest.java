package io.ganglion.orchestration;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("An ask's sampling object")
class SamplingTest {

  @Test
  @DisplayName("carries seed, user, topP and responseFormat beside maxTokens, temperature and stop, and writes back what it read")
  void roundTrip() {
    JsonObject json = new JsonObject().put("maxTokens", 64).put("temperature", 0.3).put("seed", 7L).put("user", "u-1")
      .put("topP", 0.5).put("responseFormat", new JsonObject().put("type", "json_schema")
        .put("json_schema", new JsonObject().put("name", "x").put("schema", new JsonObject().put("type", "object"))));
    Sampling sampling = Sampling.fromJson(json);

    assertThat(sampling.seed()).isEqualTo(7L);
    assertThat(sampling.user()).isEqualTo("u-1");
    assertThat(sampling.toJson()).isEqualTo(json);
    assertThat(Sampling.fromJson(null)).isEqualTo(Sampling.DEFAULT);
  }

  @Test
  @DisplayName("refuses a fractional seed, an empty or overlong user, a topP outside 0..1 and an unknown or nameless response format with 4000 naming the field")
  void refusesBadValues() {
    for (JsonObject bad : new JsonObject[]{new JsonObject().put("seed", 1.5), new JsonObject().put("user", ""),
      new JsonObject().put("user", "u".repeat(Sampling.MAX_USER + 1)), new JsonObject().put("user", 42),
      new JsonObject().put("topP", 1.5), new JsonObject().put("responseFormat", new JsonObject().put("type", "xml")),
      new JsonObject().put("responseFormat", new JsonObject().put("type", "json_schema").put("json_schema", new JsonObject()))}) {
      String field = bad.fieldNames().iterator().next();
      assertThatThrownBy(() -> Sampling.fromJson(bad)).as(bad.encode()).isInstanceOf(ReplyException.class)
        .hasMessageContaining("'sampling." + field);
    }
  }
}
