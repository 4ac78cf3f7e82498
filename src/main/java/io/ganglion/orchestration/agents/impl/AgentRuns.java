package io.ganglion.orchestration.agents.impl;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.generation.ChatMessage;
import io.ganglion.orchestration.agents.AgentSpec;
import io.ganglion.orchestration.agents.RunStatus;
import io.ganglion.orchestration.agents.impl.RunState.Outcome;
import io.ganglion.orchestration.tools.Tool;
import io.ganglion.store.ConversationRepository;
import io.ganglion.store.Keyset;
import io.ganglion.store.RunRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Agent runs on this node: starting one (the agent resolved for the tenant, the caller's scopes checked against its
 * tools, the input through the reflex layer, the run stored), running it by kind ({@link ReactLoop}, {@link Router},
 * {@link Planner}), ending it (its final status stored by compare-and-set, the conversation turn appended, the change
 * published on {@code ganglion.orchestrator.run.changed}), and approve, reject, cancel, reads. Running runs whose node
 * died are taken over after their lease ({@code orchestration.runs.leaseMs}); a graceful stop hands them over at once.
 * <p>
 * <b>NOTE</b>: runs on the orchestrator's event loop; never blocks.
 */
public final class AgentRuns {

  private static final Logger LOG = LoggerFactory.getLogger(AgentRuns.class);

  /** A run being started: what the caller sent, already validated by the verticle's handler. */
  public record Start(String tenant, JsonObject principal, String agent, String input, List<ChatMessage> history,
                      UUID conversationId, boolean detach) {
  }

  private final RunServices services;
  private final AgentCatalog catalog;
  private final ConversationRepository conversations;
  private final MeterRegistry meters;
  private final long hopTimeoutMs;
  private final String owner = UUID.randomUUID().toString();
  private final ReactLoop react;
  private final Router router;
  private final Planner planner;
  private final Map<UUID, Active> active = new ConcurrentHashMap<>();
  private long sweeper = -1;

  /** A run in flight here and the future of its end. */
  private record Active(RunState state, Future<JsonObject> done) {
  }

  public AgentRuns(RunServices services, AgentCatalog catalog, ConversationRepository conversations,
                   MeterRegistry meters, long hopTimeoutMs) {
    this.services = services;
    this.catalog = catalog;
    this.conversations = conversations;
    this.meters = meters;
    this.hopTimeoutMs = hopTimeoutMs;
    this.react = new ReactLoop(services);
    this.router = new Router(services);
    this.planner = new Planner(services);
  }

  public AgentCatalog catalog() {
    return catalog;
  }

  /** Starts taking over orphaned runs: at once, then every half lease. */
  public void startRecovery() {
    long period = Math.max(1_000, services.config().leaseMs() / 2);
    recover();
    sweeper = services.vertx().setPeriodic(period, id -> {
      recover();
      services.runs().purgeExpiredApprovals();
    });
  }

  /** Hands every run in flight here over (its lease ends now), for another node or the next start to resume. */
  public Future<Void> stop() {
    if (sweeper >= 0) {
      services.vertx().cancelTimer(sweeper);
    }
    List<Future<Void>> released = new ArrayList<>();
    active.values().forEach(a -> {
      a.state().cancelQuietly();
      released.add(services.runs().release(a.state().id, owner));
    });
    return Future.join(released).mapEmpty();
  }

  /**
   * Starts a run.
   *
   * @param events stream events {@code (event, data)}
   * @param waitMs how long the reply waits for the run to end; then it answers the run as it is ({@code running})
   * @return the run: final, or still running / waiting for approval
   */
  public Future<JsonObject> start(Start start, BiConsumer<String, JsonObject> events, long waitMs,
                                  java.util.function.Consumer<UUID> started) {
    if (active.size() >= services.config().maxActive()) {
      return Future.failedFuture(ErrorCode.OVERLOADED.exception("too many agent runs in flight on this node ("
        + services.config().maxActive() + "); retry in a moment"));
    }
    return catalog.find(start.tenant(), start.agent()).compose(found -> {
      AgentSpec spec = found.spec();
      check(spec, start);
      return services.reflex().inspect(start.input(), "input", start.tenant(), null,
        io.ganglion.bus.Deadlines.within(hopTimeoutMs))
        .compose(inspection -> {
          if (inspection.blocked()) {
            return Future.failedFuture(ErrorCode.UNPROCESSABLE.exception("the input was blocked by policy"));
          }
          return history(start).compose(history -> begin(start, spec, inspection.text(), history, events, waitMs,
            started));
        });
    });
  }

  private Future<JsonObject> begin(Start start, AgentSpec spec, String input, List<ChatMessage> history,
                                   BiConsumer<String, JsonObject> events, long waitMs,
                                   java.util.function.Consumer<UUID> started) {
    UUID id = UUID.randomUUID();
    RunState run = new RunState(id, start.tenant(), spec, start.principal(), owner, budgetMs(spec), hopTimeoutMs,
      input, start.conversationId(), start.detach(), new JsonArray(), new JsonObject(), events);
    Future<Void> remembered = Future.succeededFuture();
    for (ChatMessage m : history) {
      remembered = remembered.compose(v -> services.guards().remember(run, m));
    }
    return remembered.compose(v -> services.guards().remember(run, ChatMessage.user(input)))
      .compose(v -> services.runs().insert(id, start.tenant(), spec.name(), spec.toJson(), run.storedMessages.getJsonObject(
          run.storedMessages.size() - 1).getString("content"), start.principal(), start.conversationId(), start.detach(),
        run.storedMessages, owner, services.config().leaseMs()))
      .compose(v -> {
        publish(run, RunStatus.RUNNING);
        Future<JsonObject> done = launch(run, execute(run));
        started.accept(id);
        return reply(done, run, waitMs);
      });
  }

  /** Runs the agent by kind; a sub-agent of a router or planner runs through the same dispatch. */
  private Future<Outcome> execute(RunState run) {
    if (run.isChild() && run.messages.isEmpty()) {
      // a sub-agent starts its own conversation with the task it was handed
      return services.guards().remember(run, ChatMessage.user(run.input)).compose(v -> execute(run));
    }
    return switch (run.agent.kind()) {
      case REACT -> react.run(run).compose(outcome -> judged(run, outcome));
      case ROUTER -> subAgents(run).compose(agents -> router.run(run, agents, this::execute));
      case PLANNER -> subAgents(run).compose(agents -> planner.run(run, agents, this::execute));
    };
  }

  /** A react agent with {@code judge}: a failed check gets one more turn with the judge's reason. */
  private Future<Outcome> judged(RunState run, Outcome outcome) {
    if (!run.agent.judge() || outcome.status() != RunStatus.COMPLETED || run.agent.kind() != AgentSpec.Kind.REACT) {
      return Future.succeededFuture(outcome);
    }
    return new Judge(new SingleCall(services)).check(run, run.input, outcome.output()).compose(verdict -> verdict.pass()
      ? Future.succeededFuture(outcome)
      : services.guards().remember(run, ChatMessage.user("A reviewer found your answer lacking: " + verdict.reason()
        + " Improve it.")).compose(v -> react.run(run)));
  }

  private Future<List<AgentCatalog.Found>> subAgents(RunState run) {
    List<Future<AgentCatalog.Found>> found = run.agent.agents().stream().map(name -> catalog.find(run.tenant, name))
      .toList();
    return Future.all(found).map(v -> found.stream().map(Future::result).toList())
      .recover(failure -> Future.failedFuture(ErrorCode.UNPROCESSABLE.exception("a sub-agent of " + run.agent.name()
        + " cannot be run: " + failure.getMessage())))
      .map(agents -> {
        agents.forEach(a -> checkTools(a.spec(), run.tenant, run.scopes));
        return agents;
      });
  }

  /** Tracks a run in flight until it ends, then stores how it ended. */
  private Future<JsonObject> launch(RunState run, Future<Outcome> outcome) {
    Promise<JsonObject> done = Promise.promise();
    active.put(run.id, new Active(run, done.future()));
    outcome
      .recover(failure -> {
        ErrorCode code = ErrorCode.of(failure);
        if (code == ErrorCode.INTERNAL) {
          LOG.error("run {} failed", run.id, failure);
        }
        return Future.succeededFuture(Outcome.failed(code.code(), code.slug(),
          code == ErrorCode.INTERNAL ? "internal error" : String.valueOf(failure.getMessage())));
      })
      .compose(o -> run.handedOver() ? Future.succeededFuture(RunJson.live(run, RunStatus.RUNNING, null, null, null))
        : end(run, run.cancelled() && o.status() != RunStatus.WAITING_APPROVAL ? Outcome.of(RunStatus.CANCELLED) : o))
      .onComplete(ar -> {
        active.remove(run.id);
        if (ar.succeeded()) {
          done.complete(ar.result());
        } else {
          LOG.warn("run {} could not be finished: {}", run.id, ar.cause().getMessage());
          done.complete(RunJson.live(run, RunStatus.FAILED, null, new JsonObject().put("code", "unavailable")
            .put("message", "the run's end could not be stored: " + ar.cause().getMessage()), null));
        }
      });
    return done.future();
  }

  private Future<JsonObject> end(RunState run, Outcome outcome) {
    meters.counter("ganglion.agents.runs", "agent", run.agent.name(), "status", outcome.status().wireName()).increment();
    if (outcome.status() == RunStatus.WAITING_APPROVAL) {
      publish(run, RunStatus.WAITING_APPROVAL);
      return services.runs().pending(run.id).map(p -> RunJson.live(run, RunStatus.WAITING_APPROVAL, null, null,
        p.orElse(null)));
    }
    meters.counter("ganglion.agents.cost.usd", "agent", run.agent.name()).increment(run.totals().costUsd);
    return services.guards().stored(run, outcome.output())
      .compose(stored -> services.runs().finish(run.id, outcome.status() == RunStatus.CANCELLED ? null : owner,
        outcome.status().wireName(), stored, outcome.error(), run.progress()))
      .compose(changed -> {
        if (!changed) {
          // it ended elsewhere first (cancelled by a request, taken over): report what is stored
          return services.runs().get(run.tenant, run.id).map(stored -> stored.map(s -> RunJson.live(run,
            RunStatus.of(s.status()), s.output(), s.error(), null)).orElse(RunJson.live(run, outcome.status(),
            outcome.output(), outcome.error(), null)));
        }
        publish(run, outcome.status());
        Future<UUID> conversation = outcome.status() == RunStatus.COMPLETED ? converse(run, outcome.output())
          : Future.succeededFuture(run.conversationId);
        return conversation.map(cid -> RunJson.live(run, outcome.status(), outcome.output(), outcome.error(), null)
          .put("conversationId", cid == null ? null : cid.toString()));
      });
  }

  /** The turn joins the run's conversation (a new one unless the run continued one). */
  private Future<UUID> converse(RunState run, String output) {
    if (run.isChild()) {
      return Future.succeededFuture(null);
    }
    Future<UUID> id = run.conversationId != null ? Future.succeededFuture(run.conversationId)
      : conversations.create(run.tenant, "agent:" + run.agent.name()).map(ConversationRepository.Conversation::id);
    return id.compose(cid -> conversations.appendTurn(cid, run.input, output == null ? "" : output, run.id).map(cid))
      .recover(failure -> {
        LOG.warn("run {}: conversation turn not stored: {}", run.id, failure.getMessage());
        return Future.succeededFuture(run.conversationId);
      });
  }

  /** The reply: the run when it ended within {@code waitMs}, else as it is now. */
  private Future<JsonObject> reply(Future<JsonObject> done, RunState run, long waitMs) {
    if (done.isComplete()) {
      return done;
    }
    Promise<JsonObject> reply = Promise.promise();
    long timer = services.vertx().setTimer(Math.max(1, waitMs), t -> reply.tryComplete(
      RunJson.live(run, RunStatus.RUNNING, null, null, null)));
    done.onComplete(ar -> {
      services.vertx().cancelTimer(timer);
      if (ar.succeeded()) {
        reply.tryComplete(ar.result());
      } else {
        reply.tryFail(ar.cause());
      }
    });
    return reply.future();
  }

  public Future<JsonObject> approve(String tenant, UUID id, BiConsumer<String, JsonObject> events, long waitMs) {
    return services.runs().resumeApproved(tenant, id, owner, services.config().leaseMs())
      .recover(failure -> {
        if (failure instanceof RunRepository.ApprovalExpiredException) {
          return services.runs().finish(id, owner, RunStatus.FAILED.wireName(), null, new JsonObject()
              .put("code", "conflict").put("message", "the approval expired"), null)
            .compose(v -> Future.failedFuture(ErrorCode.CONFLICT.exception("the run's pending calls expired; it ended failed")));
        }
        return Future.failedFuture(failure);
      })
      .compose(pending -> pending.isEmpty() ? notWaiting(tenant, id)
        : restore(tenant, id, events).compose(run -> {
          publish(run, RunStatus.RUNNING);
          return reply(launch(run, react.approved(run, pending.get()).compose(o -> judged(run, o))), run, waitMs);
        }));
  }

  public Future<JsonObject> reject(String tenant, UUID id, String reason) {
    return services.runs().get(tenant, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(ErrorCode.NOT_FOUND.exception("no run " + id));
      }
      if (!RunStatus.WAITING_APPROVAL.wireName().equals(found.get().status())) {
        return notWaiting(tenant, id);
      }
      RunRepository.StoredRun s = found.get();
      JsonObject error = new JsonObject().put("code", "rejected").put("message", reason == null || reason.isBlank()
        ? "a pending call was rejected" : reason);
      RunRepository.Progress progress = new RunRepository.Progress(s.messages(), s.repeats(), s.steps(), s.promptTokens(),
        s.completionTokens(), s.costUsd());
      return services.runs().finish(id, null, RunStatus.REJECTED.wireName(), null, error, progress).compose(changed -> {
        if (!changed) {
          return notWaiting(tenant, id);
        }
        services.vertx().eventBus().publish(Addresses.ORCHESTRATOR_RUN_CHANGED, changed(id, tenant, s.agent(),
          RunStatus.REJECTED));
        return get(tenant, id);
      });
    });
  }

  public Future<JsonObject> cancel(String tenant, UUID id) {
    return services.runs().cancel(tenant, id).compose(cancelled -> {
      if (!cancelled) {
        return services.runs().get(tenant, id).compose(found -> found.isEmpty()
          ? Future.failedFuture(ErrorCode.NOT_FOUND.exception("no run " + id))
          : Future.failedFuture(ErrorCode.CONFLICT.exception("the run already ended " + found.get().status())));
      }
      Active here = active.get(id);
      if (here != null) {
        here.state().cancel();
      }
      return services.runs().get(tenant, id).map(found -> {
        found.ifPresent(s -> services.vertx().eventBus().publish(Addresses.ORCHESTRATOR_RUN_CHANGED,
          changed(id, tenant, s.agent(), RunStatus.CANCELLED)));
        return null;
      }).compose(v -> get(tenant, id));
    });
  }

  /** Another node cancelled a run this node runs. */
  public void changedElsewhere(JsonObject change) {
    if (RunStatus.CANCELLED.wireName().equals(change.getString("status"))) {
      try {
        Active here = active.get(UUID.fromString(change.getString("id", "")));
        if (here != null) {
          here.state().cancel();
        }
      } catch (IllegalArgumentException ignored) {
        // not a run id
      }
    }
  }

  /** Cancels a run started here by a stream whose client went away (unless detached). */
  public void disconnected(UUID id) {
    Active here = active.get(id);
    if (here != null && !here.state().detach) {
      services.runs().cancel(here.state().tenant, id);
      here.state().cancel();
    }
  }

  public Future<JsonObject> get(String tenant, UUID id) {
    return services.runs().get(tenant, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(ErrorCode.NOT_FOUND.exception("no run " + id));
      }
      RunRepository.StoredRun run = found.get();
      Future<List<RunRepository.StoredStep>> steps = services.runs().steps(id);
      Future<java.util.Optional<JsonArray>> pending = RunStatus.WAITING_APPROVAL.wireName().equals(run.status())
        ? services.runs().pending(id) : Future.succeededFuture(java.util.Optional.empty());
      return Future.all(steps, pending).map(v -> RunJson.stored(run, steps.result(), pending.result().orElse(null)));
    });
  }

  public Future<JsonObject> list(String tenant, String agent, String cursor, int limit) {
    Keyset after;
    try {
      after = Keyset.parse(cursor);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return services.runs().list(tenant, agent, after, limit + 1).map(runs -> {
      JsonArray page = new JsonArray();
      runs.stream().limit(limit).forEach(r -> page.add(RunJson.summary(r)));
      RunRepository.StoredRun last = runs.size() > limit ? runs.get(limit - 1) : null;
      return new JsonObject().put("runs", page)
        .put("next", last == null ? null : new Keyset(last.createdAt(), last.id()).cursor());
    });
  }

  /** 404 for another tenant's or an unknown run, else 409 with its status. */
  private Future<JsonObject> notWaiting(String tenant, UUID id) {
    return services.runs().get(tenant, id).compose(found -> found.isEmpty()
      ? Future.failedFuture(ErrorCode.NOT_FOUND.exception("no run " + id))
      : Future.failedFuture(ErrorCode.CONFLICT.exception("the run is not waiting for approval (it is "
        + found.get().status() + ")")));
  }

  /** Takes over runs whose node stopped or died, and runs them on from their stored state. */
  private void recover() {
    int room = services.config().maxActive() - active.size();
    if (room <= 0) {
      return;
    }
    services.runs().claimOrphans(owner, services.config().leaseMs(), Math.min(8, room))
      .onFailure(e -> LOG.debug("orphaned runs not checked: {}", e.getMessage()))
      .onSuccess(runs -> runs.forEach(stored -> services.runs().steps(stored.id())
        .onFailure(e -> LOG.warn("run {} not resumed: {}", stored.id(), e.getMessage()))
        .onSuccess(steps -> {
          RunState run = state(stored, steps, (event, data) -> { });
          LOG.info("resuming run {} of agent {} after its node stopped", run.id, run.agent.name());
          Future<Outcome> outcome = run.agent.kind() == AgentSpec.Kind.REACT ? react.run(run).compose(o -> judged(run, o))
            : Future.succeededFuture(Outcome.failed(ErrorCode.UNAVAILABLE.code(), ErrorCode.UNAVAILABLE.slug(),
              "a " + run.agent.kind().wireName() + " run interrupted by a restart is not resumed"));
          launch(run, outcome);
        })));
  }

  private Future<RunState> restore(String tenant, UUID id, BiConsumer<String, JsonObject> events) {
    return services.runs().get(tenant, id).compose(found -> services.runs().steps(id)
      .map(steps -> state(found.orElseThrow(), steps, events)));
  }

  private RunState state(RunRepository.StoredRun stored, List<RunRepository.StoredStep> steps,
                         BiConsumer<String, JsonObject> events) {
    AgentSpec spec = AgentSpec.fromJson(stored.agentSpec(), services.config().maxSteps());
    JsonArray messages = stored.messages() == null ? new JsonArray() : stored.messages();
    RunState run = new RunState(stored.id(), stored.tenant(), spec, stored.principal(), owner, budgetMs(spec),
      hopTimeoutMs, stored.input(), stored.conversationId(), stored.detach(), messages.copy(), stored.repeats().copy(),
      events);
    messages.forEach(m -> run.messages.add(ChatMessage.fromJson((JsonObject) m)));
    steps.forEach(s -> run.addStep(s.detail().copy().put("state", s.state())));
    run.totals().modelSteps = stored.steps();
    run.totals().promptTokens = stored.promptTokens();
    run.totals().completionTokens = stored.completionTokens();
    run.totals().costUsd = stored.costUsd();
    return run;
  }

  private Future<List<ChatMessage>> history(Start start) {
    if (start.conversationId() == null) {
      return Future.succeededFuture(start.history());
    }
    return conversations.get(start.tenant(), start.conversationId()).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(ErrorCode.NOT_FOUND.exception("no conversation '" + start.conversationId() + "'"));
      }
      if (!found.get().kb().equals("agent:" + start.agent())) {
        return Future.failedFuture(ErrorCode.INVALID_REQUEST.exception("conversation '" + start.conversationId()
          + "' is not a conversation with agent " + start.agent()));
      }
      return conversations.recentMessages(start.conversationId(), 20).map(messages -> messages.stream()
        .map(m -> new ChatMessage(ChatMessage.Role.ofWireName(m.role()), m.content())).toList());
    });
  }

  /** A provider to talk to, and a scope for every tool that needs one (403 naming those missing). */
  private void check(AgentSpec spec, Start start) {
    boolean needsModel = spec.kind() != AgentSpec.Kind.ROUTER || spec.provider() != null;
    if (needsModel) {
      services.models().providerFor(spec.provider());
    }
    java.util.Set<String> scopes = new java.util.HashSet<>();
    start.principal().getJsonArray("scopes", new JsonArray()).forEach(s -> scopes.add(String.valueOf(s)));
    checkTools(spec, start.tenant(), scopes);
  }

  private void checkTools(AgentSpec spec, String tenant, java.util.Set<String> scopes) {
    if (scopes.contains("admin") || scopes.contains("tools:*")) {
      return;
    }
    List<String> missing = new ArrayList<>();
    List<Tool> resolved = services.registry().resolve(spec.tools(), tenant);
    for (String name : spec.tools()) {
      if (name.endsWith("__*")) {
        resolved.stream().filter(t -> t.name().startsWith(name.substring(0, name.length() - 1)))
          .filter(Tool::needsToolScope).filter(t -> !scopes.contains("tools:" + t.name()))
          .forEach(t -> missing.add("tools:" + t.name()));
        continue;
      }
      boolean needs = resolved.stream().filter(t -> t.name().equals(name)).findFirst().map(Tool::needsToolScope)
        .orElse(!"kb_search".equals(name));
      if (needs && !scopes.contains("tools:" + name)) {
        missing.add("tools:" + name);
      }
    }
    if (spec.tools().contains("kb_search") && !scopes.contains("kb:read")) {
      missing.add("kb:read");
    }
    if (!missing.isEmpty()) {
      throw ErrorCode.FORBIDDEN.exception("this credential lacks " + missing + ", which agent " + spec.name()
        + " needs for its tools");
    }
  }

  private long budgetMs(AgentSpec spec) {
    return (spec.budget().seconds() > 0 ? spec.budget().seconds() : services.config().maxSeconds()) * 1000;
  }

  private void publish(RunState run, RunStatus status) {
    services.vertx().eventBus().publish(Addresses.ORCHESTRATOR_RUN_CHANGED, changed(run.id, run.tenant,
      run.agent.name(), status));
  }

  private static JsonObject changed(UUID id, String tenant, String agent, RunStatus status) {
    return new JsonObject().put("id", id.toString()).put("tenant", tenant).put("agent", agent)
      .put("status", status.wireName()).put("at", OffsetDateTime.now().toString());
  }
}
