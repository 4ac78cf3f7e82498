package io.ganglion.orchestration.agents.impl;

import io.ganglion.generation.ChatRequest;
import io.ganglion.generation.ChatStream;
import io.ganglion.generation.LlmProviderConfig;
import io.ganglion.orchestration.agents.RunStreams;
import io.ganglion.orchestration.impl.OutputGuard;
import io.ganglion.orchestration.impl.Tokens;
import io.ganglion.store.RunRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One model call without tools, for the router's choice, the planner's plan and synthesis, and the judge: budget
 * reserved and settled like a loop turn, the text through the reflex layer (streamed as tokens only when it is the
 * answer), recorded as a {@code model} step with its {@code purpose}.
 */
final class SingleCall {

  private final RunServices services;

  SingleCall(RunServices services) {
    this.services = services;
  }

  Future<String> ask(RunState run, String purpose, String system, String user, boolean answer) {
    String provider = services.models().providerFor(run.agent.provider());
    int maxTokens = services.models().maxTokens(provider);
    ChatRequest request = ChatRequest.of(system, user).withMaxTokens(maxTokens);
    int prompt = Tokens.estimate(system) + Tokens.estimate(user);
    LlmProviderConfig.Price price = services.models().price(provider);
    long started = System.nanoTime();
    return services.budgets().reserve(run, prompt + maxTokens, price.cost(prompt, maxTokens)).compose(reservation -> {
      OutputGuard guard = new OutputGuard(services.reflex(), run.tenant, null, run::hop, true, text -> {
        if (answer) {
          run.emit(RunStreams.TOKEN, new JsonObject().put("text", text));
        }
      });
      ChatStream stream = services.models().chain(provider).stream(request, guard::accept);
      run.calling(stream);
      return stream.result().compose(result -> {
        double cost = services.models().price(result.provider()).cost(result.usage());
        services.budgets().settle(reservation, result.usage().totalTokens(), cost);
        run.totals().modelSteps++;
        run.addUsage(result.usage(), cost);
        JsonObject step = new JsonObject().put("type", "model").put("purpose", purpose).put("provider", result.provider())
          .put("tokens", new JsonObject().put("prompt", result.usage().promptTokens())
            .put("completion", result.usage().completionTokens()))
          .put("costUsd", cost).put("ms", Math.round((System.nanoTime() - started) / 1e5) / 10.0);
        int seq = run.addStep(step);
        run.emit(RunStreams.STEP, step.copy().put("index", seq));
        return guard.finish().compose(text -> services.runs()
          .addSteps(run.id, List.of(new RunRepository.StoredStep(seq, "model", null, null, "done", step)))
          .map(text));
      }, failure -> {
        services.budgets().settle(reservation, 0, 0);
        return Future.failedFuture(failure);
      });
    });
  }

  /** Records a step of a router or planner ({@code handoff}, {@code plan}, {@code agent}, {@code judge}). */
  Future<Void> record(RunState run, JsonObject step) {
    int seq = run.addStep(step);
    run.emit(RunStreams.STEP, step.copy().put("index", seq));
    return services.guards().stored(run, step.encode())
      .map(stored -> {
        try {
          return new JsonObject(stored);
        } catch (RuntimeException redactionBrokeTheJson) {
          return new JsonObject().put("type", step.getString("type")).put("redacted", stored);
        }
      })
      .compose(stored -> services.runs().addSteps(run.id, List.of(
        new RunRepository.StoredStep(seq, step.getString("type"), null, step.getString("agent"), "done", stored))));
  }
}
