package io.ganglion.generation;

import io.ganglion.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every configured provider, built once at start: a protocol client per {@code llm.providers} entry, each wrapped
 * in a {@link ResilientProvider}, all sharing one HTTP client; and the fallback chains their {@code fallback} lists
 * describe.
 * <pre>
 * LlmProviders llm = LlmProviders.create(vertx, LlmConfig.from(conf.getJsonObject("llm")), System::getenv);
 * ChatProvider generation = llm.defaultChain(extractive);   // default provider, its fallbacks, then extractive
 * </pre>
 * <b>NOTE</b>: thread-safe; create it once per process (in the verticle that owns generation) and share it.
 */
public final class LlmProviders {

  private final LlmConfig config;
  private final HttpClientAgent client;
  private final Map<String, ResilientProvider> providers;

  private LlmProviders(LlmConfig config, HttpClientAgent client, Map<String, ResilientProvider> providers) {
    this.config = config;
    this.client = client;
    this.providers = providers;
  }

  /**
   * Builds the providers.
   *
   * @param env reads an environment variable ({@code System::getenv} in production)
   * @throws ConfigException when a provider's {@code apiKeyEnv} names an unset variable
   */
  public static LlmProviders create(Vertx vertx, LlmConfig config, Function<String, String> env) {
    // every key is read before anything is created, so a missing one leaks no client
    Map<String, String> apiKeys = apiKeys(config, env);
    int poolSize = config.providers().values().stream().mapToInt(LlmProviderConfig::maxConcurrency).max().orElse(1);
    HttpClientAgent client = vertx.createHttpClient(
      new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
      // the pool is per upstream host; the concurrency limit, not the pool, is what callers hit first
      new PoolOptions().setHttp1MaxSize(poolSize));
    Map<String, ResilientProvider> providers = new LinkedHashMap<>();
    for (LlmProviderConfig provider : config.providers().values()) {
      String apiKey = apiKeys.get(provider.name());
      ChatProvider upstream = switch (provider.type()) {
        case OPENAI -> new OpenAiCompatibleProvider(client, provider, apiKey);
        case ANTHROPIC -> new AnthropicProvider(client, provider, apiKey);
      };
      providers.put(provider.name(), new ResilientProvider(vertx, upstream, provider));
    }
    return new LlmProviders(config, client, providers);
  }

  /**
   * Every provider's API key by provider name (absent for providers without {@code apiKeyEnv}); what start-up
   * validation checks before anything else starts.
   *
   * @throws ConfigException when a provider's {@code apiKeyEnv} names an unset variable
   */
  public static Map<String, String> apiKeys(LlmConfig config, Function<String, String> env) {
    Map<String, String> apiKeys = new HashMap<>();
    int i = 0;
    for (LlmProviderConfig provider : config.providers().values()) {
      apiKeys.put(provider.name(), apiKey(provider, env, "llm.providers[" + i++ + "].apiKeyEnv"));
    }
    return apiKeys;
  }

  private static String apiKey(LlmProviderConfig provider, Function<String, String> env, String key) {
    if (provider.apiKeyEnv() == null) {
      return null;
    }
    String value = env.apply(provider.apiKeyEnv());
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, "environment variable " + provider.apiKeyEnv() + " is not set");
    }
    return value.strip();
  }

  /** The named provider, resilient, without fallback. */
  public Optional<ResilientProvider> provider(String name) {
    return Optional.ofNullable(providers.get(name));
  }

  /** All providers, in configuration order. */
  public List<ResilientProvider> providers() {
    return List.copyOf(providers.values());
  }

  /**
   * The named provider, then its configured {@code fallback} providers in order, then {@code finalGenerator}.
   *
   * @throws IllegalArgumentException when no provider has that name
   */
  public FallbackChain chain(String name, ChatProvider finalGenerator) {
    LlmProviderConfig first = config.provider(name);
    List<ChatProvider> links = new ArrayList<>();
    links.add(providers.get(first.name()));
    first.fallback().forEach(fallback -> links.add(providers.get(fallback)));
    return new FallbackChain(links, finalGenerator);
  }

    /** The configured default provider, or empty when the extractive generator answers by default. */
  public Optional<ResilientProvider> defaultProvider() {
    return config.defaultProvider() == null ? Optional.empty() : provider(config.defaultProvider());
  }

/** {@link #chain} of the default provider; just {@code finalGenerator} when no provider is configured. */
  public ChatProvider defaultChain(ChatProvider finalGenerator) {
    return config.defaultProvider() == null ? finalGenerator : chain(config.defaultProvider(), finalGenerator);
  }

  /** Closes the breakers and the shared HTTP client. */
  public Future<Void> close() {
    providers.values().forEach(ResilientProvider::close);
    return client.close();
  }
}
