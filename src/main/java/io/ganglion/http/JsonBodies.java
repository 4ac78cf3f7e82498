package io.ganglion.http;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON request bodies at the edge: a malformed or non-object body is a 400, never a 500. */
public final class JsonBodies {

  private JsonBodies() {
  }

  /** Nesting limit applied by {@link #object}; set once at start from {@code limits.maxJsonDepth}. */
  private static volatile int maxDepth = 64;

  public static void maxDepth(int depth) {
    maxDepth = depth;
  }

  /** The request body as a JSON object; throws a {@code malformed_json} / {@code invalid_request} failure otherwise. */
  public static JsonObject object(RoutingContext ctx) {
    return object(ctx.body().buffer());
  }

  /** {@code body} (a request body, or {@code null}) as a JSON object, failing as {@link #object(RoutingContext)}. */
  public static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) {
      throw ErrorCode.INVALID_REQUEST.exception("request body is empty: send a JSON object");
    }
    if (depth(body) > maxDepth) {
      throw ErrorCode.INVALID_REQUEST.exception("JSON nesting is deeper than " + maxDepth + " levels");
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ErrorCode.MALFORMED_JSON.exception("request body is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (!(value instanceof JsonObject object)) {
      throw ErrorCode.INVALID_REQUEST.exception("request body must be a JSON object");
    }
    return object;
  }

  /** A required non-blank string field. */
  public static String requiredString(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'" + field + "' is required and must be a non-empty string");
    }
    return s;
  }

  /** The deepest nesting of arrays/objects, found without parsing (strings skipped), so deep input is refused cheaply. */
  static int depth(Buffer json) {
    int depth = 0;
    int max = 0;
    boolean inString = false;
    for (int i = 0, n = json.length(); i < n; i++) {
      byte b = json.getByte(i);
      if (inString) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        max = Math.max(max, ++depth);
      } else if (b == '}' || b == ']') {
        depth--;
      }
    }
    return max;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    String line = (nl < 0 ? message : message.substring(0, nl)).replace("Failed to decode:", "").trim();
    int source = line.indexOf(" (start marker");
    if (source < 0) {
      source = line.indexOf(" at [Source");
    }
    if (source > 0) {
      line = line.substring(0, source);
    }
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
