package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static io.ganglion.http.SecurityIT.as;
import static io.ganglion.http.SecurityIT.createKey;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Generation tokens per day")
class TokenBudgetIT {

  @BeforeAll
  static void server() {
    // SecurityIT's helpers use its shared server, which its own @BeforeAll sets: set it when this class runs first
    SecurityIT.server = TestServer.shared();
  }

  @Test
  @DisplayName("a key whose daily token budget is spent gets 429 with Retry-After on ask and chat, and may still read")
  void budgetSpent() {
    spends("budget", "");
  }

  @Test
  @DisplayName("with a rate limit too, the count read in the rate limiter's Redis call refuses the spent key the same way")
  void budgetSpentReadWithTheRateLimit() {
    spends("budget-rl", ",\"rpm\":1000");
  }

  @Test
  @DisplayName("with rate-limit permits leased (a limit of 600,000 rpm leases 600), the node sees its own spending at once: the next ask is refused")
  void budgetSpentWithLeasedPermits() {
    spends("budget-lease", ",\"rpm\":600000");
  }

  private static void spends(String tenant, String extra) {
    String key = createKey(tenant, "[\"kb:read\",\"kb:write\",\"chat\"]", "\"tokensPerDay\":5" + extra).getString("key");
    String kb = tenant + "-kb";
    assertThat(as(key, "POST", "/v1/kbs", "{\"name\":\"" + kb + "\"}").statusCode()).isEqualTo(201);
    assertThat(as(key, "POST", "/v1/kbs/" + kb + "/documents",
      "{\"documents\":[{\"id\":\"d\",\"text\":\"The cafeteria opens at eight in the morning and closes at three.\"}]}").statusCode())
      .isEqualTo(200);

    HttpResponse<String> first = as(key, "POST", "/v1/kbs/" + kb + "/ask", "{\"question\":\"When does the cafeteria open?\"}");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(new JsonObject(first.body()).getJsonObject("usage").getInteger("totalTokens")).isGreaterThan(5);

    HttpResponse<String> spent = as(key, "POST", "/v1/kbs/" + kb + "/ask", "{\"question\":\"When does it close?\"}");
    assertThat(spent.statusCode()).isEqualTo(429);
    assertThat(spent.headers().firstValue("Retry-After")).isPresent();
    assertThat(spent.headers().firstValue("X-Ganglion-Tokens-Remaining")).contains("0");
    assertThat(new JsonObject(spent.body()).getJsonObject("error").getString("code")).isEqualTo("rate_limited");
    assertThat(as(key, "POST", "/v1/chat/completions",
      "{\"model\":\"kb:" + kb + "\",\"messages\":[{\"role\":\"user\",\"content\":\"When does it close?\"}]}").statusCode()).isEqualTo(429);
    // the check reads the path the router matches routes on: a path that reaches the ask route another way is checked too
    for (String path : new String[]{"/v1/kbs/" + kb + "/ask/", "/v1/kbs/x/../" + kb + "/ask", "/v1//kbs/" + kb + "/ask"}) {
      HttpResponse<String> odd = as(key, "POST", path, "{\"question\":\"When does it close?\"}");
      assertThat(odd.statusCode()).as(path + " is refused by the budget or matches no route: " + odd.body()).isIn(404, 429);
    }
    assertThat(as(key, "POST", "/v1/kbs/" + kb + "/search", "{\"query\":\"cafeteria\"}").statusCode()).isEqualTo(200);
  }
}
