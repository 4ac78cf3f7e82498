package io.ganglion.http.routes;

import io.ganglion.bus.ErrorCode;
import io.ganglion.http.FieldFailure;
import io.ganglion.http.JsonBodies;
import io.ganglion.http.auth.Scopes;
import io.ganglion.inference.EmbedClient;
import io.ganglion.inference.EmbedRequest;
import io.ganglion.inference.onnx.TextKind;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * OpenAI-compatible {@code POST /v1/embeddings} (scope {@code chat}): {@code {"model"?,"input": string | [strings],
 * "encoding_format"?: "float"|"base64", "dimensions"?}} → {@code {"object":"list","data":[{"object":"embedding",
 * "index","embedding"}],"model","usage":{"prompt_tokens","total_tokens"}}}. {@code base64} is little-endian float32,
 * as the OpenAI SDKs decode it; {@code dimensions} below the model's truncates and re-normalises.
 */
public final class EmbeddingsRoutes {

  private final long busTimeoutMs;
  private final EmbedClient embeds;

  public EmbeddingsRoutes(Vertx vertx, long busTimeoutMs) {
    this.busTimeoutMs = busTimeoutMs;
    this.embeds = EmbedClient.create(vertx);
  }

  public void mount(Router router) {
    router.post("/v1/embeddings").consumes("application/json").handler(this::embeddings);
  }

  private void embeddings(RoutingContext ctx) {
    Scopes.require(ctx, "chat");
    JsonObject body = JsonBodies.object(ctx);
    JsonArray texts = inputs(body.getValue("input"));
    String format = body.getValue("encoding_format", "float") instanceof String f ? f : "";
    if (!format.equals("float") && !format.equals("base64")) {
      throw FieldFailure.invalid("encoding_format", "'encoding_format' must be float or base64");
    }
    Integer dimensions = dimensions(body.getValue("dimensions"));
    String model = body.getValue("model") instanceof String m && !m.isBlank() ? m : null;
    List<String> list = texts.stream().map(String.class::cast).toList();
    embeds.embed(new EmbedRequest(list, TextKind.PASSAGE, model), busTimeoutMs)
      .onSuccess(reply -> {
        int dims = reply.dims();
        if (dimensions != null && dimensions > dims) {
          ctx.fail(FieldFailure.invalid("dimensions", "'dimensions' must be at most " + dims + " for " + reply.model()));
          return;
        }
        JsonArray data = new JsonArray();
        for (int i = 0; i < reply.vectors().size(); i++) {
          float[] vector = resize(reply.vectors().get(i), dimensions == null ? dims : dimensions);
          data.add(new JsonObject().put("object", "embedding").put("index", i)
            .put("embedding", format.equals("base64") ? base64(vector) : floats(vector)));
        }
        int tokens = reply.tokens().stream().mapToInt(Integer::intValue).sum();
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(new JsonObject()
          .put("object", "list").put("data", data).put("model", model != null ? model : nameOf(reply.model()))
          .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens)).toBuffer());
      })
      .onFailure(ctx::fail);
  }

  /** The model as OpenAI clients name it: what they asked for, else the default's name without its {@code @version}. */
  private static String nameOf(String ref) {
    int at = ref.indexOf('@');
    return at < 0 ? ref : ref.substring(0, at);
  }

  private static JsonArray inputs(Object input) {
    if (input instanceof String s) {
      if (s.isEmpty()) {
        throw FieldFailure.invalid("input", "'input' must not be empty");
      }
      return new JsonArray().add(s);
    }
    if (input instanceof JsonArray array && !array.isEmpty()) {
      for (Object item : array) {
        if (!(item instanceof String s) || s.isEmpty()) {
          throw FieldFailure.invalid("input", "'input' must be a string or a list of non-empty strings (token arrays are not supported)");
        }
      }
      return array;
    }
    throw FieldFailure.invalid("input", "'input' is required: a string or a non-empty list of strings");
  }

  private static Integer dimensions(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || n.intValue() < 1 || n.doubleValue() != n.intValue()) {
      throw FieldFailure.invalid("dimensions", "'dimensions' must be a positive whole number");
    }
    return n.intValue();
  }

  /** The first {@code dims} components (a copy: the reply's vectors are shared), re-normalised to unit length when cut. */
  static float[] resize(float[] values, int dims) {
    float[] vector = java.util.Arrays.copyOf(values, dims);
    double norm = 0;
    for (int i = 0; i < dims; i++) {
      norm += vector[i] * vector[i];
    }
    if (dims < values.length && norm > 0) {
      float scale = (float) (1 / Math.sqrt(norm));
      for (int i = 0; i < dims; i++) {
        vector[i] *= scale;
      }
    }
    return vector;
  }

  private static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : vector) {
      bytes.putFloat(v);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static JsonArray floats(float[] vector) {
    JsonArray array = new JsonArray();
    for (float v : vector) {
      array.add(v);
    }
    return array;
  }
}
