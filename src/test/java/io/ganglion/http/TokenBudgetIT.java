package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static io.ganglion.http.SecurityIT.as;
import static io.ganglion.http.SecurityIT.createKey;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Generation tokens per day")
class TokenBudgetIT {

  @Test
  @DisplayName("a key whose daily token budget is spent gets 429 with Retry-After on ask and chat, and may still read")
  void budgetSpent() {
    TestServer.shared();
    String key = createKey("budget", "[\"kb:read\",\"kb:write\",\"chat\"]", "\"tokensPerDay\":5").getString("key");
    assertThat(as(key, "POST", "/v1/kbs", "{\"name\":\"budget-kb\"}").statusCode()).isEqualTo(201);
    assertThat(as(key, "POST", "/v1/kbs/budget-kb/documents",
      "{\"documents\":[{\"id\":\"d\",\"text\":\"The cafeteria opens at eight in the morning and closes at three.\"}]}").statusCode())
      .isEqualTo(200);

    HttpResponse<String> first = as(key, "POST", "/v1/kbs/budget-kb/ask", "{\"question\":\"When does the cafeteria open?\"}");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(new JsonObject(first.body()).getJsonObject("usage").getInteger("totalTokens")).isGreaterThan(5);

    HttpResponse<String> spent = as(key, "POST", "/v1/kbs/budget-kb/ask", "{\"question\":\"When does it close?\"}");
    assertThat(spent.statusCode()).isEqualTo(429);
    assertThat(spent.headers().firstValue("Retry-After")).isPresent();
    assertThat(new JsonObject(spent.body()).getJsonObject("error").getString("code")).isEqualTo("rate_limited");
    assertThat(as(key, "POST", "/v1/chat/completions",
      "{\"model\":\"kb:budget-kb\",\"messages\":[{\"role\":\"user\",\"content\":\"When does it close?\"}]}").statusCode()).isEqualTo(429);
    assertThat(as(key, "POST", "/v1/kbs/budget-kb/search", "{\"query\":\"cafeteria\"}").statusCode()).isEqualTo(200);
  }
}
