package io.ganglion.http.routes;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Ask bodies remembered by their bytes")
class AskBodiesTest {

  private final AskBodies bodies = new AskBodies();

  @Test
  @DisplayName("the same body for the same tenant and knowledge base is decoded once, with its key memo, and keeps only the ask's fields")
  void sameBodyDecodedOnce() {
    Buffer body = Buffer.buffer("{\"question\":\"How many vacation days?\",\"k\":4,\"extra\":true}");
    AskBodies.Ask first = bodies.ask(body, "t1", "handbook");
    AskBodies.Ask again = bodies.ask(Buffer.buffer(body.getBytes()), "t1", "handbook");

    assertThat(again).isSameAs(first);
    assertThat(first.request()).isEqualTo(new JsonObject().put("tenant", "t1").put("kb", "handbook")
      .put("question", "How many vacation days?").put("k", 4));
    assertThat(first.stream()).isFalse();
    assertThat(first.keys().of(first.request(), "v1")).isEqualTo(io.ganglion.reflex.cache.CacheKey.of(first.request(), "v1"));
  }

  @Test
  @DisplayName("another tenant, another knowledge base or one byte more is another ask")
  void keyedByTenantKbAndBytes() {
    Buffer body = Buffer.buffer("{\"question\":\"q\"}");
    AskBodies.Ask first = bodies.ask(body, "t1", "kb");

    assertThat(bodies.ask(body, "t2", "kb").request().getString("tenant")).isEqualTo("t2");
    assertThat(bodies.ask(body, "t1", "other").request().getString("kb")).isEqualTo("other");
    assertThat(bodies.ask(Buffer.buffer("{\"question\":\"q\" }"), "t1", "kb")).isNotSameAs(first);
    assertThat(bodies.size()).isEqualTo(4);
  }

  @Test
  @DisplayName("a bad body fails the same way every time and is not remembered; a large body is decoded but not kept")
  void badAndLargeBodies() {
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> bodies.ask(Buffer.buffer("{\"question\":"), "t", "kb"))
        .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(4001));
      assertThatThrownBy(() -> bodies.ask(Buffer.buffer("{\"question\":\"q\",\"stream\":\"yes\"}"), "t", "kb"))
        .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(4000));
    }
    String question = "x".repeat(AskBodies.MAX_BODY);
    AskBodies.Ask large = bodies.ask(Buffer.buffer("{\"question\":\"" + question + "\",\"stream\":true}"), "t", "kb");
    assertThat(large.stream()).isTrue();
    assertThat(large.request().getString("question")).isEqualTo(question);
    assertThat(bodies.size()).isZero();
  }
}
