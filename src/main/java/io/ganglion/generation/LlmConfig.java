package io.ganglion.generation;

import io.ganglion.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code llm} section: upstream LLM providers by name, and the one generation uses by default.
 * <pre>
 * llm:
 *   default: openai
 *   providers:
 *     - { name: openai, type: openai, baseUrl: https://api.openai.com/v1, model: gpt-4o-mini,
 *         apiKeyEnv: OPENAI_API_KEY, timeoutMs: 60000, maxConcurrency: 32, maxRetries: 2, fallback: [claude] }
 *     - { name: claude, type: anthropic, baseUrl: https://api.anthropic.com, model: claude-3-5-haiku-latest,
 *         apiKeyEnv: ANTHROPIC_API_KEY }
 * </pre>
 * With no providers, generation uses the built-in extractive generator only.
 *
 * @param providers       providers by name, in configuration order
 * @param defaultProvider the provider generation starts with, or {@code null} when there are none
 */
public record LlmConfig(Map<String, LlmProviderConfig> providers, String defaultProvider) {

  public LlmConfig {
    providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
  }

  /** No providers: extractive generation only. */
  public static LlmConfig none() {
    return new LlmConfig(Map.of(), null);
  }

  /**
   * Parses and validates the {@code llm} object (may be {@code null}: no providers).
   *
   * @throws ConfigException naming the key, e.g. {@code llm.providers[1].baseUrl}
   */
  public static LlmConfig from(JsonObject json) {
    if (json == null) {
      return none();
    }
    Object list = json.getValue("providers");
    if (list != null && !(list instanceof JsonArray)) {
      throw new ConfigException("llm.providers", "must be a list of providers");
    }
    JsonArray array = list == null ? new JsonArray() : (JsonArray) list;
    Map<String, LlmProviderConfig> providers = new LinkedHashMap<>();
    for (int i = 0; i < array.size(); i++) {
      String key = "llm.providers[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject entry)) {
        throw new ConfigException(key, "must be an object");
      }
      LlmProviderConfig provider = LlmProviderConfig.from(entry, key);
      if (providers.putIfAbsent(provider.name(), provider) != null) {
        throw new ConfigException(key + ".name", "duplicate provider name " + provider.name());
      }
    }
    checkFallbacks(providers);
    return new LlmConfig(providers, defaultProvider(json, providers));
  }

  private static void checkFallbacks(Map<String, LlmProviderConfig> providers) {
    int i = 0;
    for (LlmProviderConfig provider : providers.values()) {
      Set<String> seen = new HashSet<>();
      for (int j = 0; j < provider.fallback().size(); j++) {
        String name = provider.fallback().get(j);
        String key = "llm.providers[" + i + "].fallback[" + j + "]";
        if (!providers.containsKey(name)) {
          throw new ConfigException(key, "no provider named " + name);
        }
        if (name.equals(provider.name())) {
          throw new ConfigException(key, "a provider cannot fall back to itself");
        }
        if (!seen.add(name)) {
          throw new ConfigException(key, "lists " + name + " twice");
        }
      }
      i++;
    }
  }

  private static String defaultProvider(JsonObject json, Map<String, LlmProviderConfig> providers) {
    Object value = json.getValue("default");
    if (value == null) {
      return providers.isEmpty() ? null : providers.keySet().iterator().next();
    }
    if (!(value instanceof String name) || !providers.containsKey(name)) {
      throw new ConfigException("llm.default", "must name a configured provider, got " + value);
    }
    return name;
  }

  /** The named provider's configuration. */
  public LlmProviderConfig provider(String name) {
    LlmProviderConfig provider = providers.get(name);
    if (provider == null) {
      throw new IllegalArgumentException("no LLM provider named " + name);
    }
    return provider;
  }
}
