package io.ganglion.orchestration.agents.impl;

import io.ganglion.orchestration.agents.AgentsConfig;
import io.ganglion.orchestration.impl.ReflexHook;
import io.ganglion.orchestration.tools.ToolExecutor;
import io.ganglion.orchestration.tools.ToolRegistry;
import io.ganglion.store.RunRepository;
import io.vertx.core.Vertx;

/** What the run loops share: providers, tools, budgets, the reflex layer, the run store, settings. */
record RunServices(Vertx vertx, Models models, ToolExecutor tools, Budgets budgets, Guards guards, ReflexHook reflex,
                   RunRepository runs, AgentsConfig config) {

  ToolRegistry registry() {
    return tools.registry();
  }
}
