package io.ganglion.generation;

import io.ganglion.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One upstream LLM provider, validated: where it lives, which model it serves and how hard to try it.
 *
 * @param name               unique name other providers' {@code fallback} lists refer to
 * @param type               wire protocol
 * @param baseUrl            absolute http(s) URL without a trailing slash ({@code https://api.openai.com/v1},
 *                           {@code http://localhost:11434/v1}, {@code https://api.anthropic.com})
 * @param model              model sent upstream when the request names none
 * @param apiKeyEnv          environment variable holding the API key, or {@code null} for keyless local servers
 * @param connectTimeoutMs   time to get a connection to the upstream
 * @param firstByteTimeoutMs time the upstream may stay silent: before the response headers and between chunks
 * @param timeoutMs          budget of a whole call, retries and backoff included
 * @param maxConcurrency     calls in flight at once; the next one fails fast
 * @param maxRetries         retries after the first attempt (429, 5xx, connection errors; never after a token)
 * @param retryBaseDelayMs   first backoff step, doubled per retry and jittered
 * @param retryMaxDelayMs    cap of one backoff step
 * @param breakerMaxFailures upstream failures (rolling window) that open the circuit breaker
 * @param breakerResetMs     time an open breaker waits before letting one trial call through
 * @param defaultMaxTokens   max tokens when the request gives none (Anthropic requires a value)
 * @param fallback           names of the providers to try, in order, when this one fails
 * @param inputCostPerMillionTokens  price of a million prompt tokens (0 = not priced), for agent cost budgets, replies and the cost metric
 * @param outputCostPerMillionTokens price of a million generated tokens (0 = not priced)
 */
public record LlmProviderConfig(
  String name,
  Type type,
  String baseUrl,
  String model,
  String apiKeyEnv,
  long connectTimeoutMs,
  long firstByteTimeoutMs,
  long timeoutMs,
  int maxConcurrency,
  int maxRetries,
  long retryBaseDelayMs,
  long retryMaxDelayMs,
  int breakerMaxFailures,
  long breakerResetMs,
  int defaultMaxTokens,
  List<String> fallback,
  double inputCostPerMillionTokens,
  double outputCostPerMillionTokens) {

  /** What its model costs, from {@code inputCostPerMillionTokens} and {@code outputCostPerMillionTokens}. */
  public Price price() {
    return new Price(inputCostPerMillionTokens, outputCostPerMillionTokens);
  }

  /** US dollars per million prompt (input) and completion (output) tokens; for agent cost budgets, replies and metrics. */
  public record Price(double inputPerMTok, double outputPerMTok) {

    public static final Price FREE = new Price(0, 0);

    /** What {@code usage} costs, in US dollars. */
    public double cost(TokenUsage usage) {
      return cost(usage.promptTokens(), usage.completionTokens());
    }

    public double cost(long promptTokens, long completionTokens) {
      return (promptTokens * inputPerMTok + completionTokens * outputPerMTok) / 1_000_000.0;
    }
  }

  /** Wire protocol of a provider. */
  public enum Type {
    /** {@code POST {baseUrl}/chat/completions}: OpenAI, vLLM, Ollama, llama.cpp, TGI, LM Studio, Groq, Together. */
    OPENAI,
    /** {@code POST {baseUrl}/v1/messages}: Anthropic's Messages API. */
    ANTHROPIC
  }

  public LlmProviderConfig {
    fallback = List.copyOf(fallback);
  }

  /**
   * Parses one entry of {@code llm.providers}.
   *
   * @param key the entry's key for error messages, e.g. {@code llm.providers[0]}
   * @throws ConfigException naming the offending key
   */
  public static LlmProviderConfig from(JsonObject json, String key) {
    String name = requiredString(json, "name", key);
    String typeName = requiredString(json, "type", key);
    Type type = switch (typeName.toLowerCase(Locale.ROOT)) {
      case "openai" -> Type.OPENAI;
      case "anthropic" -> Type.ANTHROPIC;
      default -> throw new ConfigException(key + ".type", "must be openai or anthropic, got " + typeName);
    };
    String baseUrl = baseUrl(requiredString(json, "baseUrl", key), key + ".baseUrl");
    String model = requiredString(json, "model", key);
    String apiKeyEnv = json.getValue("apiKeyEnv") == null ? null : requiredString(json, "apiKeyEnv", key);
    long timeoutMs = positiveLong(json, "timeoutMs", 60_000, key);
    long retryBaseDelayMs = positiveLong(json, "retryBaseDelayMs", 250, key);
    long retryMaxDelayMs = positiveLong(json, "retryMaxDelayMs", 4_000, key);
    if (retryMaxDelayMs < retryBaseDelayMs) {
      throw new ConfigException(key + ".retryMaxDelayMs", "must be at least retryBaseDelayMs (" + retryBaseDelayMs + ")");
    }
    return new LlmProviderConfig(
      name, type, baseUrl, model, apiKeyEnv,
      positiveLong(json, "connectTimeoutMs", 5_000, key),
      positiveLong(json, "firstByteTimeoutMs", 30_000, key),
      timeoutMs,
      (int) rangedLong(json, "maxConcurrency", 32, 1, 10_000, key),
      (int) rangedLong(json, "maxRetries", 2, 0, 10, key),
      retryBaseDelayMs,
      retryMaxDelayMs,
      (int) rangedLong(json, "breakerMaxFailures", 5, 1, 1_000, key),
      positiveLong(json, "breakerResetMs", 30_000, key),
      (int) rangedLong(json, "defaultMaxTokens", 1024, 1, 1_000_000, key),
      names(json, "fallback", key),
      cost(json, "inputCostPerMillionTokens", key),
      cost(json, "outputCostPerMillionTokens", key));
  }

  private static String requiredString(JsonObject json, String field, String key) {
    Object value = json.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new ConfigException(key + "." + field, value == null ? "is required" : "must be a non-empty string");
    }
    return s.strip();
  }

  private static String baseUrl(String value, String key) {
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "is not a URL: " + value);
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new ConfigException(key, "must be an absolute http or https URL, got " + value);
    }
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  /** A price in the operator's currency (USD in the dashboard), 0 when not set: what the cost metric multiplies by. */
  private static double cost(JsonObject json, String field, String key) {
    Object value = json.getValue(field);
    if (value == null) {
      return 0;
    }
    if (!(value instanceof Number n) || n.doubleValue() < 0 || Double.isNaN(n.doubleValue())) {
      throw new ConfigException(key + "." + field, "must be a number of at least 0, got " + value);
    }
    return n.doubleValue();
  }

  private static long positiveLong(JsonObject json, String field, long defaultValue, String key) {
    return rangedLong(json, field, defaultValue, 1, Long.MAX_VALUE, key);
  }

  private static long rangedLong(JsonObject json, String field, long defaultValue, long min, long max, String key) {
    Object value = json.getValue(field);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new ConfigException(key + "." + field, "must be an integer, got " + value);
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw new ConfigException(key + "." + field, "must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  private static List<String> names(JsonObject json, String field, String key) {
    Object value = json.getValue(field);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(key + "." + field, "must be a list of provider names");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String s) || s.isBlank()) {
        throw new ConfigException(key + "." + field + "[" + i + "]", "must be a provider name");
      }
      names.add(s.strip());
    }
    return names;
  }
}
