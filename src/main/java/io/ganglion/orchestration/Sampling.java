package io.ganglion.orchestration;

import io.ganglion.bus.ErrorCode;
import io.ganglion.generation.ResponseFormat;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * How the answer is generated, from the ask's optional {@code "sampling"} object:
 * {@code {"maxTokens"?: 1.., "temperature"?: 0..2, "stop"?: [up to 4 strings], "seed"?: integer, "user"?: string,
 * "topP"?: 0..1, "responseFormat"?: {"type":"text"|"json_object"|"json_schema",...}}}.
 * Upstream providers receive the first three and {@code topP}; {@code seed} goes to OpenAI-compatible providers
 * (Anthropic's API has none) and {@code user}, the end user the answer is for, to both (Anthropic as
 * {@code metadata.user_id}). A JSON {@code responseFormat} goes only to OpenAI-compatible providers: asked of the
 * extractive generator or an Anthropic provider the ask fails 4000, and the fallback chain keeps only providers that
 * take it (no extractive last resort). The extractive generator is deterministic (temperature, top_p and seed have
 * nothing to change), stops at the first stop sequence and cuts the answer at {@code maxTokens} (estimated tokens),
 * finishing with {@code length}.
 *
 * @param maxTokens 0 for the provider's default
 * @param seed      null for none
 * @param user      null for none; at most {@value #MAX_USER} characters
 * @param topP      null for the provider's default
 * @param responseFormat null for none ({@link ResponseFormat})
 */
public record Sampling(int maxTokens, Double temperature, List<String> stop, Long seed, String user, Double topP,
                       JsonObject responseFormat) {

  public static final int MAX_USER = 256;
  public static final Sampling DEFAULT = new Sampling(0, null, List.of(), null, null, null, null);

  /** Reads {@code json} (null: the defaults); fails 4000 naming the field. */
  public static Sampling fromJson(JsonObject json) {
    if (json == null) {
      return DEFAULT;
    }
    int maxTokens = 0;
    Object max = json.getValue("maxTokens");
    if (max != null) {
      if (!(max instanceof Integer || max instanceof Long) || ((Number) max).longValue() < 1
        || ((Number) max).longValue() > 1_000_000) {
        throw ErrorCode.INVALID_REQUEST.exception("'sampling.maxTokens' must be a whole number from 1 to 1000000");
      }
      maxTokens = ((Number) max).intValue();
    }
    Double temperature = null;
    Object t = json.getValue("temperature");
    if (t != null) {
      if (!(t instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 2) {
        throw ErrorCode.INVALID_REQUEST.exception("'sampling.temperature' must be a number from 0 to 2");
      }
      temperature = n.doubleValue();
    }
    List<String> stop = new ArrayList<>();
    Object s = json.getValue("stop");
    if (s != null) {
      if (!(s instanceof JsonArray array) || array.size() > 4
        || !array.stream().allMatch(item -> item instanceof String str && !str.isEmpty())) {
        throw ErrorCode.INVALID_REQUEST.exception("'sampling.stop' must be a list of up to 4 non-empty strings");
      }
      array.forEach(item -> stop.add((String) item));
    }
    Object seed = json.getValue("seed");
    if (seed != null && !(seed instanceof Integer || seed instanceof Long)) {
      throw ErrorCode.INVALID_REQUEST.exception("'sampling.seed' must be a whole number");
    }
    Object user = json.getValue("user");
    if (user != null && !(user instanceof String u && !u.isEmpty() && u.length() <= MAX_USER)) {
      throw ErrorCode.INVALID_REQUEST.exception("'sampling.user' must be a string of 1 to " + MAX_USER + " characters");
    }
    Object p = json.getValue("topP");
    if (p != null && !(p instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= 1)) {
      throw ErrorCode.INVALID_REQUEST.exception("'sampling.topP' must be a number from 0 to 1");
    }
    JsonObject format;
    try {
      format = ResponseFormat.validated(json.getValue("responseFormat"));
    } catch (IllegalArgumentException e) {
      throw ErrorCode.INVALID_REQUEST.exception(e.getMessage().replace("'response_format", "'sampling.responseFormat"));
    }
    return new Sampling(maxTokens, temperature, List.copyOf(stop), seed == null ? null : ((Number) seed).longValue(),
      (String) user, p == null ? null : ((Number) p).doubleValue(), format);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (maxTokens > 0) {
      json.put("maxTokens", maxTokens);
    }
    if (temperature != null) {
      json.put("temperature", temperature);
    }
    if (!stop.isEmpty()) {
      json.put("stop", new JsonArray(stop));
    }
    if (seed != null) {
      json.put("seed", seed);
    }
    if (user != null) {
      json.put("user", user);
    }
    if (topP != null) {
      json.put("topP", topP);
    }
    if (responseFormat != null) {
      json.put("responseFormat", responseFormat.copy());
    }
    return json;
  }
}
