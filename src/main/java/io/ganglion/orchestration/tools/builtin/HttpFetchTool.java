package io.ganglion.orchestration.tools.builtin;

import io.ganglion.egress.EgressGuard;
import io.ganglion.egress.EgressRefusedException;
import io.ganglion.generation.ToolDefinition;
import io.ganglion.orchestration.tools.Tool;
import io.ganglion.orchestration.tools.ToolContext;
import io.ganglion.orchestration.tools.ToolResult;
import io.ganglion.orchestration.tools.ToolsConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code http_fetch {"url"}}: a GET of a page on an allowlisted host ({@code tools.httpFetch.allowHosts}), through the
 * {@link EgressGuard}: every hop's resolved address is checked (no loopback, private or link-local target unless
 * {@code allowPrivateTargets}), redirects are followed by the guard with the allowlist applied to each, the body is
 * read up to {@code maxBytes} within {@code timeoutMs}. Text bodies (text/*, JSON, XML) are returned as text; others
 * are described, not returned. Needs {@code tools:http_fetch}.
 */
public final class HttpFetchTool implements Tool {

  public static final String NAME = "http_fetch";

  private static final ToolDefinition DEFINITION = new ToolDefinition(NAME,
    "Fetch a web page or API response with an HTTP GET. Only some hosts are allowed.",
    new JsonObject().put("type", "object")
      .put("properties", new JsonObject()
        .put("url", new JsonObject().put("type", "string").put("minLength", 8).put("maxLength", 2048)
          .put("description", "an absolute http or https URL")))
      .put("required", new JsonArray().add("url"))
      .put("additionalProperties", false));

  private final EgressGuard guard;
  private final ToolsConfig.HttpFetch config;

  public HttpFetchTool(Vertx vertx, HttpClient client, ToolsConfig.HttpFetch config) {
    this.config = config;
    this.guard = new EgressGuard(vertx, client,
      new EgressGuard.Policy(config.allowPrivateTargets(), EgressGuard.allowlist(config.allowHosts())));
  }

  @Override
  public ToolDefinition definition() {
    return DEFINITION;
  }

  @Override
  public String source() {
    return "builtin";
  }

  @Override
  public Future<ToolResult> call(JsonObject arguments, ToolContext context) {
    URI uri;
    try {
      uri = new URI(arguments.getString("url"));
    } catch (URISyntaxException e) {
      return Future.succeededFuture(ToolResult.error("not a URL: " + e.getMessage()));
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
      .add("accept", "text/html, text/plain, application/json;q=0.9, */*;q=0.1")
      .add("user-agent", "ganglion-http-fetch");
    return guard.send(io.vertx.core.http.HttpMethod.GET, uri, headers, null,
        Math.min(config.timeoutMs(), context.timeoutMs()), config.maxRedirects(), config.maxBytes())
      .map(response -> {
        String type = response.headers().get("content-type");
        JsonObject result = new JsonObject().put("url", response.uri().toString()).put("status", response.status())
          .put("contentType", type).put("truncated", response.truncated());
        if (textual(type)) {
          result.put("body", response.body().toString(StandardCharsets.UTF_8));
        } else {
          result.put("body", "(" + response.body().length() + " bytes of " + type + ", not shown)");
        }
        return ToolResult.of(result);
      })
      .recover(failure -> Future.succeededFuture(ToolResult.error(failure instanceof EgressRefusedException
        ? "refused: " + failure.getMessage() : "the request failed: " + failure.getMessage())));
  }

  private static boolean textual(String contentType) {
    if (contentType == null) {
      return true;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    return type.startsWith("text/") || type.contains("json") || type.contains("xml") || type.contains("javascript");
  }
}
