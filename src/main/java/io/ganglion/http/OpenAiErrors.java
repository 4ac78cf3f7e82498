package io.ganglion.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * OpenAI's error shape on the OpenAI-compatible routes: {@code {"error":{"message","type","param","code"}}}, where
 * {@code code} stays our slug, {@code type} follows from the status and {@code param} names the field at fault (or is
 * null); {@code requestId} stays. It applies to every error of {@code /v1/chat/completions}, {@code /v1/embeddings}
 * and {@code /v1/models} (and paths below them), including those raised before the route (authentication, rate
 * limits, the body limit), and to a request for a route that does not exist under {@code /v1}, where an OpenAI SDK
 * pointed at the server may end up.
 */
public final class OpenAiErrors {

  private static final List<String> PREFIXES = List.of("/v1/chat/completions", "/v1/embeddings", "/v1/models");

  private OpenAiErrors() {
  }

  /** Whether the error of this request takes OpenAI's shape. */
  public static boolean applies(RoutingContext ctx, int status) {
    return applies(ctx.request().path(), status, !(ctx.failure() instanceof io.vertx.core.eventbus.ReplyException));
  }

  /** @param byRouter the router itself answered (no route matched), not a route */
  static boolean applies(String path, int status, boolean byRouter) {
    if (path == null) {
      return false;
    }
    for (String prefix : PREFIXES) {
      if (path.equals(prefix) || path.startsWith(prefix + "/")) {
        return true;
      }
    }
    // no route matched at all: a 404 with no route behind it
    return status == 404 && byRouter && path.startsWith("/v1/");
  }

  /** OpenAI's {@code error.type} for an HTTP status. */
  public static String type(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      default -> status >= 500 ? "server_error" : "invalid_request_error";
    };
  }

  /** Adds {@code type} and {@code param} to an error body's {@code error} object. */
  public static JsonObject decorate(JsonObject body, int status, String param) {
    body.getJsonObject("error").put("type", type(status)).put("param", param);
    return body;
  }
}
