package io.ganglion.http.routes;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Which asks the last /v1 guard answers itself, and which it leaves to the router's ask route")
class AskRoutesTest {

  @Test
  @DisplayName("a one-segment knowledge base name without escapes is taken; anything else goes to the router")
  void plainPaths() {
    assertThat(AskRoutes.plainKb("/v1/kbs/handbook/ask")).isEqualTo("handbook");
    assertThat(AskRoutes.plainKb("/v1/kbs/a-b_c.d/ask")).isEqualTo("a-b_c.d");
    assertThat(AskRoutes.plainKb("/v1/kbs/hand%20book/ask")).as("an escape the router decodes").isNull();
    assertThat(AskRoutes.plainKb("/v1/kbs/handbook/ask/")).as("a trailing slash").isNull();
    assertThat(AskRoutes.plainKb("/v1/kbs//ask")).isNull();
    assertThat(AskRoutes.plainKb("/v1/kbs/ask")).isNull();
    assertThat(AskRoutes.plainKb("/v1/kbs/a/b/ask")).isNull();
    assertThat(AskRoutes.plainKb("/v1/kbs/handbook/search")).isNull();
    assertThat(AskRoutes.plainKb("/v1/chat/completions")).isNull();
    assertThat(AskRoutes.plainKb(null)).isNull();
  }

  @Test
  @DisplayName("application/json alone or with parameters is taken; other spellings and types go to the router (its consumes check)")
  void plainContentTypes() {
    assertThat(AskRoutes.json("application/json")).isTrue();
    assertThat(AskRoutes.json("application/json; charset=utf-8")).isTrue();
    assertThat(AskRoutes.json("application/json;charset=UTF-8")).isTrue();
    assertThat(AskRoutes.json("Application/JSON")).isFalse();
    assertThat(AskRoutes.json("application/jsonp")).isFalse();
    assertThat(AskRoutes.json("application/json-patch+json")).isFalse();
    assertThat(AskRoutes.json("text/plain")).isFalse();
    assertThat(AskRoutes.json(null)).isFalse();
  }
}
