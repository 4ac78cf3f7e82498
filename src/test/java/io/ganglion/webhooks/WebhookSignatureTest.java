package io.ganglion.webhooks;

import io.ganglion.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Webhook signatures and settings")
class WebhookSignatureTest {

  private static final String BODY = "{\"id\":\"e1\",\"event\":\"job.completed\",\"createdAt\":\"2026-12-01T00:00:00Z\",\"data\":{}}";

  @Test
  @DisplayName("the signature is the hex HMAC-SHA256 of '<timestamp>.<body>' (value computed independently with Python's hmac)")
  void knownValue() {
    assertThat(WebhookSignature.sign("Jefe", 1700000000, BODY))
      .isEqualTo("3645e4ad8e4cda219d2ae09422824bd6885badb56a743f49fbc9bbe3ff9a3b3a");
    assertThat(WebhookSignature.header(List.of("Jefe"), 1700000000, BODY))
      .isEqualTo("sha256=3645e4ad8e4cda219d2ae09422824bd6885badb56a743f49fbc9bbe3ff9a3b3a");
  }

  @Test
  @DisplayName("during a rotation the header carries one signature per secret, and either secret verifies")
  void twoSecrets() {
    String header = WebhookSignature.header(List.of("new-secret-0000000", "old-secret-0000000"), 1700000000, BODY);
    assertThat(header.split(",")).hasSize(2).allMatch(s -> s.startsWith("sha256="));
    assertThat(WebhookSignature.verify("new-secret-0000000", header, "1700000000", BODY, 1700000010, 300)).isTrue();
    assertThat(WebhookSignature.verify("old-secret-0000000", header, "1700000000", BODY, 1700000010, 300)).isTrue();
    assertThat(WebhookSignature.verify("another-secret-000", header, "1700000000", BODY, 1700000010, 300)).isFalse();
  }

  @Test
  @DisplayName("a stale timestamp, a moved timestamp, an altered body or a missing header fails verification")
  void replay() {
    String header = WebhookSignature.header(List.of("s3cret-0000000000"), 1700000000, BODY);
    assertThat(WebhookSignature.verify("s3cret-0000000000", header, "1700000000", BODY, 1700000000 + 301, 300)).isFalse();
    assertThat(WebhookSignature.verify("s3cret-0000000000", header, "1700000600", BODY, 1700000600, 300)).isFalse();
    assertThat(WebhookSignature.verify("s3cret-0000000000", header, "1700000000", BODY + " ", 1700000000, 300)).isFalse();
    assertThat(WebhookSignature.verify("s3cret-0000000000", null, "1700000000", BODY, 1700000000, 300)).isFalse();
    assertThat(WebhookSignature.verify("s3cret-0000000000", header, "soon", BODY, 1700000000, 300)).isFalse();
    assertThat(WebhookSignature.verify("s3cret-0000000000", header, "1700000000", BODY, 1700000000, 300)).isTrue();
  }

  @Test
  @DisplayName("the backoff doubles from initialBackoffMs up to maxBackoffMs; bad settings name their key")
  void settings() {
    WebhooksConfig config = WebhooksConfig.from(new JsonObject().put("initialBackoffMs", 1000).put("maxBackoffMs", 5000));
    assertThat(List.of(1, 2, 3, 4, 5, 30).stream().map(config::backoffMs).toList())
      .containsExactly(1000L, 2000L, 4000L, 5000L, 5000L, 5000L);
    WebhooksConfig defaults = WebhooksConfig.from(null);
    assertThat(defaults.allowPrivateTargets()).isFalse();
    assertThat(defaults.maxAttempts()).isEqualTo(8);
    assertThatThrownBy(() -> WebhooksConfig.from(new JsonObject().put("maxAttempts", 0)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("webhooks.maxAttempts");
    assertThatThrownBy(() -> WebhooksConfig.from(new JsonObject().put("initialBackoffMs", 5000).put("maxBackoffMs", 1000)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("webhooks.maxBackoffMs");
    assertThatThrownBy(() -> WebhooksConfig.from(new JsonObject().put("allowPrivateTargets", "perhaps")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("webhooks.allowPrivateTargets");
  }
}
