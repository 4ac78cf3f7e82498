package io.ganglion.orchestration.agents.impl;

import io.ganglion.bus.Deadlines;
import io.ganglion.generation.ChatMessage;
import io.ganglion.generation.ChatStream;
import io.ganglion.generation.TokenUsage;
import io.ganglion.orchestration.agents.AgentSpec;
import io.ganglion.orchestration.agents.RunStatus;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * One run in flight on this node: what it acts for, the model's conversation, the steps so far, usage and cost, its
 * deadline and cancellation, and where its stream events go. Sub-agents of a router or planner run on a
 * {@link #child} that shares the run's id, steps, usage, budget and stream, with a conversation of its own.
 * <p>
 * <b>NOTE</b>: confined to the orchestrator's event loop, except {@link #cancel()}, which may come from any thread.
 */
final class RunState {

  final UUID id;
  final String tenant;
  final AgentSpec agent;
  /** {@code {"subject","scopes":[...],"keyId","tokensPerDay"}}: what the run acts for. */
  final JsonObject principal;
  final Set<String> scopes;
  final String owner;
  final long deadlineNanos;
  final long hopTimeoutMs;
  final String input;
  final UUID conversationId;
  final boolean detach;

  /** The conversation as the model sees it. */
  final List<ChatMessage> messages = new ArrayList<>();
  /** The same, as stored (PII-redacted for storage), message by message. */
  final JsonArray storedMessages;
  /** Canonical call (name and arguments) → how many times the model asked for it. */
  final JsonObject repeats;

  private final Totals totals;
  private final BiConsumer<String, JsonObject> events;
  private volatile boolean cancelled;
  private volatile boolean handedOver;
  private volatile ChatStream modelCall;
  private final RunState parent;

  /** What the whole run (sub-agents included) has used, and its steps. */
  static final class Totals {
    final List<JsonObject> steps = new ArrayList<>();
    int modelSteps;
    int promptTokens;
    int completionTokens;
    double costUsd;
  }

  RunState(UUID id, String tenant, AgentSpec agent, JsonObject principal, String owner, long budgetMs, long hopTimeoutMs,
           String input, UUID conversationId, boolean detach, JsonArray storedMessages, JsonObject repeats,
           BiConsumer<String, JsonObject> events) {
    this(id, tenant, agent, principal, owner, System.nanoTime() + budgetMs * 1_000_000, hopTimeoutMs, input,
      conversationId, detach, storedMessages, repeats, new Totals(), events, null);
  }

  private RunState(UUID id, String tenant, AgentSpec agent, JsonObject principal, String owner, long deadlineNanos,
                   long hopTimeoutMs, String input, UUID conversationId, boolean detach, JsonArray storedMessages,
                   JsonObject repeats, Totals totals, BiConsumer<String, JsonObject> events, RunState parent) {
    this.id = id;
    this.tenant = tenant;
    this.agent = agent;
    this.principal = principal;
    this.scopes = Set.copyOf(principal.getJsonArray("scopes", new JsonArray()).stream().map(String::valueOf).toList());
    this.owner = owner;
    this.deadlineNanos = deadlineNanos;
    this.hopTimeoutMs = hopTimeoutMs;
    this.input = input;
    this.conversationId = conversationId;
    this.detach = detach;
    this.storedMessages = storedMessages;
    this.repeats = repeats;
    this.totals = totals;
    this.events = events;
    this.parent = parent;
  }

  /** A sub-agent's run: the same id, steps, totals, deadline and stream; its own agent and conversation. */
  RunState child(AgentSpec subAgent, String task) {
    return new RunState(id, tenant, subAgent, principal, owner, deadlineNanos, hopTimeoutMs, task, null, detach,
      new JsonArray(), new JsonObject(), totals, events, this);
  }

  /** Whether this is a sub-agent's run (its conversation is not the one stored for resuming). */
  boolean isChild() {
    return parent != null;
  }

  Totals totals() {
    return totals;
  }

  List<JsonObject> steps() {
    return totals.steps;
  }

  /** Adds a step record; its index is its sequence number in the run. */
  int addStep(JsonObject step) {
    totals.steps.add(step);
    return totals.steps.size() - 1;
  }

  void addUsage(TokenUsage usage, double cost) {
    totals.promptTokens += usage.promptTokens();
    totals.completionTokens += usage.completionTokens();
    totals.costUsd += cost;
  }

  /** Milliseconds left of the run's wall-time budget (may be negative). */
  long remainingMs() {
    return (deadlineNanos - System.nanoTime()) / 1_000_000;
  }

  /** A hop's delivery options: the hop deadline, shortened to what is left of the run's budget. */
  DeliveryOptions hop() {
    return Deadlines.within(Math.max(1, Math.min(hopTimeoutMs, remainingMs())));
  }

  /** Sends a stream event; every event's data names its run ({@code "run"}), so a client can act on it at once. */
  void emit(String event, JsonObject data) {
    if (!cancelled()) {
      events.accept(event, data.put("run", id.toString()));
    }
  }

  boolean cancelled() {
    return cancelled || (parent != null && parent.cancelled());
  }

  void cancel() {
    cancelled = true;
    ChatStream call = modelCall;
    if (call != null) {
      call.cancel();
    }
  }

  /**
   * Stops the run here without ending it (a graceful stop of the node): the model call in flight is abandoned and
   * nothing more is written, so the node that takes the run over resumes it from its last stored turn.
   */
  void cancelQuietly() {
    handedOver = true;
    cancel();
  }

  boolean handedOver() {
    return handedOver || (parent != null && parent.handedOver());
  }

  void calling(ChatStream call) {
    modelCall = call;
    if (cancelled()) {
      call.cancel();
    }
  }

  /** The progress row of {@link io.ganglion.store.RunRepository}. */
  io.ganglion.store.RunRepository.Progress progress() {
    return new io.ganglion.store.RunRepository.Progress(storedMessages, repeats, totals.modelSteps,
      totals.promptTokens, totals.completionTokens, totals.costUsd);
  }

  /** The usage object in the ask's shape. */
  JsonObject usage() {
    return new JsonObject().put("promptTokens", totals.promptTokens).put("completionTokens", totals.completionTokens)
      .put("totalTokens", totals.promptTokens + totals.completionTokens);
  }

  /** How a run (or a sub-agent's run) ended. */
  record Outcome(RunStatus status, String output, JsonObject error) {

    static Outcome of(RunStatus status) {
      return new Outcome(status, null, null);
    }

    static Outcome completed(String output) {
      return new Outcome(RunStatus.COMPLETED, output, null);
    }

    static Outcome failed(int code, String slug, String message) {
      return new Outcome(RunStatus.FAILED, null, new JsonObject().put("code", slug).put("message", message)
        .put("busCode", code));
    }
  }
}
