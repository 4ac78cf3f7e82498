package io.ganglion.orchestration.agents.impl;

import io.ganglion.orchestration.agents.AgentsConfig;
import io.ganglion.orchestration.impl.ReflexHook;
import io.ganglion.orchestration.tools.ToolExecutor;
import io.ganglion.orchestration.tools.ToolRegistry;
import io.ganglion.store.RunRepository;
import io.vertx.core.Vertx;

/** What the run loops share: providers, tools, budgets, the reflex layer, the run store, settings. */
public record RunServices(Vertx vertx, Models models, ToolExecutor tools, Budgets budgets, Guards guards, ReflexHook reflex,
                   RunRepository runs, AgentsConfig config) {

  ToolRegistry registry() {
    return tools.registry();
  }

  /** Budget checks against Redis answer within this, or count as Redis down. */
  static final long REDIS_TIMEOUT_MS = 250;

  public static RunServices create(Vertx vertx, io.ganglion.generation.LlmProviders llm,
                                   io.ganglion.generation.LlmConfig llmConfig, ToolExecutor tools,
                                   io.vertx.redis.client.Redis redis, io.ganglion.config.LimitsConfig limits,
                                   ReflexHook reflex, io.ganglion.reflex.IndirectInjectionPolicy indirect,
                                   RunRepository runs, AgentsConfig config) {
    return new RunServices(vertx, new Models(llm, llmConfig), tools, new Budgets(redis, limits, REDIS_TIMEOUT_MS),
      new Guards(reflex, indirect), reflex, runs, config);
  }
}
