package io.ganglion.orchestration.agents.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.generation.ChatProvider;
import io.ganglion.generation.FallbackChain;
import io.ganglion.generation.LlmConfig;
import io.ganglion.generation.LlmProviderConfig;
import io.ganglion.generation.LlmProviders;

import java.util.ArrayList;
import java.util.List;

/**
 * The providers agents talk to: an agent's {@code provider} (or {@code llm.default}) and its configured fallbacks,
 * with no extractive link at the end — a tool-using model has no offline stand-in — and each provider's price.
 */
final class Models {

  private final LlmProviders llm;
  private final LlmConfig config;

  Models(LlmProviders llm, LlmConfig config) {
    this.llm = llm;
    this.config = config;
  }

  /** The provider name a run of an agent with {@code provider} uses; 4220 when there is none to use. */
  String providerFor(String provider) {
    if (provider == null) {
      if (config.defaultProvider() == null) {
        throw ErrorCode.UNPROCESSABLE.exception("an agent needs an LLM provider, and none is configured (llm.providers)");
      }
      return config.defaultProvider();
    }
    if (!config.providers().containsKey(provider)) {
      throw ErrorCode.UNPROCESSABLE.exception("the agent's provider '" + provider + "' is not configured; configured: "
        + config.providers().keySet());
    }
    return provider;
  }

  /** Whether {@code provider} (a name or {@code null} for the default) can be used. */
  boolean usable(String provider) {
    return provider == null ? config.defaultProvider() != null : config.providers().containsKey(provider);
  }

  /** The provider, then its fallbacks in order. */
  ChatProvider chain(String provider) {
    LlmProviderConfig first = config.provider(provider);
    List<ChatProvider> links = new ArrayList<>();
    links.add(llm.provider(first.name()).orElseThrow());
    first.fallback().forEach(name -> links.add(llm.provider(name).orElseThrow()));
    return links.size() == 1 ? links.getFirst() : new FallbackChain(links.subList(0, links.size() - 1), links.getLast());
  }

  LlmProviderConfig.Price price(String provider) {
    LlmProviderConfig p = config.providers().get(provider);
    return p == null ? LlmProviderConfig.Price.FREE : p.price();
  }

  int maxTokens(String provider) {
    return config.provider(provider).defaultMaxTokens();
  }
}
