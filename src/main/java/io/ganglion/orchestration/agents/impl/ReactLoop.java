package io.ganglion.orchestration.agents.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.generation.ChatMessage;
import io.ganglion.generation.ChatRequest;
import io.ganglion.generation.ChatResult;
import io.ganglion.generation.ChatStream;
import io.ganglion.generation.LlmProviderConfig;
import io.ganglion.generation.ProviderException;
import io.ganglion.generation.ToolCall;
import io.ganglion.generation.ToolDefinition;
import io.ganglion.orchestration.agents.RunStatus;
import io.ganglion.orchestration.agents.RunStreams;
import io.ganglion.orchestration.agents.impl.RunState.Outcome;
import io.ganglion.orchestration.impl.OutputGuard;
import io.ganglion.orchestration.impl.Tokens;
import io.ganglion.orchestration.tools.Tool;
import io.ganglion.store.RunRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The ReAct loop of one agent run, a turn at a time: check the limits (cancelled, {@code maxSteps}, wall time) →
 * reserve the step's budget → ask the model, offering exactly the agent's tools (its text streams out through the
 * reflex layer) → settle the budget → if it answered, the run is {@code completed}; if it asked for tools, run them
 * ({@link ToolTurn}: concurrently, results and errors fed back) → next turn. Each turn is written to PostgreSQL
 * before the next begins, so a run survives a restart of its node.
 * <p>
 * <b>NOTE</b>: runs on the orchestrator's event loop; never blocks.
 */
final class ReactLoop {

  /** What one model turn gave: its text and calls, or an outcome that ends the run. */
  private record Answer(String text, List<ToolCall> calls, Outcome outcome) {
  }

  private final RunServices services;
  private final ToolTurn tools;

  ReactLoop(RunServices services) {
    this.services = services;
    this.tools = new ToolTurn(services);
  }

  /** Runs from where the run is: a fresh input, calls approved, or a conversation interrupted by a restart. */
  Future<Outcome> run(RunState run) {
    return tools.resume(run).compose(outcome -> outcome != null ? Future.succeededFuture(outcome) : turn(run));
  }

  /** Continues a run whose pending calls were approved. */
  Future<Outcome> approved(RunState run, io.vertx.core.json.JsonArray pending) {
    return tools.approved(run, pending).compose(outcome -> outcome != null ? Future.succeededFuture(outcome) : turn(run));
  }

  private Future<Outcome> turn(RunState run) {
    Outcome limit = limits(run);
    if (limit != null) {
      return Future.succeededFuture(limit);
    }
    return model(run).compose(answer -> {
      if (answer.outcome() != null) {
        return Future.succeededFuture(answer.outcome());
      }
      if (answer.calls().isEmpty()) {
        return Future.succeededFuture(Outcome.completed(answer.text()));
      }
      return tools.turn(run, answer.calls())
        .compose(outcome -> outcome != null ? Future.succeededFuture(outcome) : turn(run));
    });
  }

  private static Outcome limits(RunState run) {
    if (run.cancelled()) {
      return Outcome.of(RunStatus.CANCELLED);
    }
    if (run.totals().modelSteps >= run.agent.maxSteps()) {
      return Outcome.of(RunStatus.MAX_STEPS);
    }
    if (run.remainingMs() <= 0) {
      return new Outcome(RunStatus.BUDGET_EXCEEDED, null, new JsonObject().put("budget", "seconds"));
    }
    return null;
  }

  /** One model call: budget reserved, text guarded and streamed, usage settled, the turn recorded. */
  private Future<Answer> model(RunState run) {
    String provider = services.models().providerFor(run.agent.provider());
    List<Tool> offered = services.registry().resolve(run.agent.tools(), run.tenant);
    int maxTokens = services.models().maxTokens(provider);
    ChatRequest request = new ChatRequest(system(run), run.messages, maxTokens, null, List.of(), null,
      offered.stream().map(Tool::definition).toList());
    int promptEstimate = estimate(request);
    LlmProviderConfig.Price price = services.models().price(provider);
    long started = System.nanoTime();
    return services.budgets().reserve(run, promptEstimate + maxTokens, price.cost(promptEstimate, maxTokens))
      .compose(reservation -> call(run, provider, request)
        .compose(result -> {
          double cost = services.models().price(result.provider()).cost(result.usage());
          services.budgets().settle(reservation, result.usage().totalTokens(), cost);
          return record(run, result, cost, started);
        }, failure -> {
          services.budgets().settle(reservation, 0, 0);
          return Future.failedFuture(failure);
        }))
      .recover(failure -> Future.succeededFuture(new Answer(null, List.of(), ended(run, failure))));
  }

  private Future<ChatResult> call(RunState run, String provider, ChatRequest request) {
    OutputGuard guard = new OutputGuard(services.reflex(), run.tenant, null, run::hop, true,
      text -> run.emit(RunStreams.TOKEN, new JsonObject().put("text", text)));
    ChatStream stream = services.models().chain(provider).stream(request, guard::accept);
    run.calling(stream);
    return stream.result().compose(result -> guard.finish().map(text -> new ChatResult(text, result.finishReason(),
      result.usage(), result.model(), result.provider(), result.toolCalls())));
  }

  /** Adds the turn to the conversation and the steps, and writes both. */
  private Future<Answer> record(RunState run, ChatResult result, double cost, long started) {
    run.totals().modelSteps++;
    run.addUsage(result.usage(), cost);
    JsonObject step = new JsonObject().put("type", "model").put("provider", result.provider())
      .put("tokens", new JsonObject().put("prompt", result.usage().promptTokens())
        .put("completion", result.usage().completionTokens()))
      .put("costUsd", cost).put("calls", result.toolCalls().size())
      .put("ms", Math.round((System.nanoTime() - started) / 1e5) / 10.0);
    int seq = run.addStep(step);
    return services.guards().remember(run, ChatMessage.assistant(result.text(), result.toolCalls()))
      .compose(v -> {
        RunRepository.StoredStep stored = new RunRepository.StoredStep(seq, "model", null, null, "done", step);
        // a sub-agent's turns are steps of the run; its conversation is not the one a resume needs
        return run.isChild() ? services.runs().addSteps(run.id, List.of(stored)).map(true)
          : services.runs().progress(run.id, run.owner, services.config().leaseMs(), run.progress(), List.of(stored));
      })
      .map(held -> {
        run.emit(RunStreams.STEP, step.copy().put("index", seq));
        return held ? new Answer(result.text(), result.toolCalls(), null)
          : new Answer(null, List.of(), Outcome.of(RunStatus.CANCELLED));
      });
  }

  /** The outcome of a failed model turn. */
  private static Outcome ended(RunState run, Throwable failure) {
    if (failure instanceof Budgets.Exceeded exceeded) {
      return new Outcome(RunStatus.BUDGET_EXCEEDED, null, new JsonObject().put("budget", exceeded.what)
        .put("message", exceeded.getMessage()));
    }
    if (failure instanceof Budgets.FailedClosed closed) {
      return Outcome.failed(ErrorCode.UNAVAILABLE.code(), ErrorCode.UNAVAILABLE.slug(), closed.getMessage());
    }
    if (run.cancelled() || failure instanceof io.ganglion.generation.ChatCancelledException) {
      return Outcome.of(RunStatus.CANCELLED);
    }
    ErrorCode code = failure instanceof ProviderException pe ? pe.errorCode() : ErrorCode.of(failure);
    return Outcome.failed(code.code(), code.slug(), String.valueOf(failure.getMessage()));
  }

  /** The agent's instructions, and how to use its knowledge bases when it has some. */
  static String system(RunState run) {
    StringBuilder system = new StringBuilder(run.agent.instructions().isBlank()
      ? "You are " + run.agent.name() + ". " + run.agent.description() : run.agent.instructions());
    if (!run.agent.kbs().isEmpty()) {
      system.append("\n\nKnowledge bases you can search with kb_search: ").append(String.join(", ", run.agent.kbs()))
        .append(". Cite passages as [n].");
    }
    return system.toString();
  }

  private static int estimate(ChatRequest request) {
    int tokens = Tokens.estimate(request.system());
    for (ChatMessage m : request.messages()) {
      tokens += Tokens.estimate(m.content()) + 4;
      for (ToolCall c : m.toolCalls()) {
        tokens += Tokens.estimate(c.arguments()) + Tokens.estimate(c.name());
      }
    }
    for (ToolDefinition t : request.tools()) {
      tokens += Tokens.estimate(t.toJson().encode());
    }
    return tokens;
  }
}
