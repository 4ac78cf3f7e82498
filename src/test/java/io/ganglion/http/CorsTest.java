package io.ganglion.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("CORS for browsers")
class CorsTest {

  private Vertx vertx;
  private HttpServer server;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route().handler(Cors.handler(List.of("https://app.example")));
    router.post("/v1/chat/completions").handler(ctx -> ctx.response().end("{}"));
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  @DisplayName("a preflight with the headers the OpenAI browser SDK sends is allowed for a configured origin, not for another")
  void openAiBrowserSdkPreflight() throws Exception {
    String sdkHeaders = "authorization,content-type,x-stainless-arch,x-stainless-lang,x-stainless-os,"
      + "x-stainless-package-version,x-stainless-retry-count,x-stainless-runtime,x-stainless-runtime-version,"
      + "x-stainless-timeout,openai-organization,openai-project";
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> allowed = client.send(preflight("https://app.example", sdkHeaders), HttpResponse.BodyHandlers.ofString());
    assertThat(allowed.statusCode()).isIn(200, 204);
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
    String granted = allowed.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase();
    for (String header : sdkHeaders.split(",")) {
      assertThat(granted).as(header).contains(header);
    }
    HttpResponse<String> other = client.send(preflight("https://evil.example", sdkHeaders), HttpResponse.BodyHandlers.ofString());
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  private HttpRequest preflight(String origin, String headers) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/v1/chat/completions"))
      .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
      .header("Origin", origin)
      .header("Access-Control-Request-Method", "POST")
      .header("Access-Control-Request-Headers", headers).build();
  }
}
