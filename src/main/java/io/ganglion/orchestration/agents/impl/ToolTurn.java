package io.ganglion.orchestration.agents.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.generation.ChatMessage;
import io.ganglion.generation.ToolCall;
import io.ganglion.orchestration.agents.RunStatus;
import io.ganglion.orchestration.agents.RunStreams;
import io.ganglion.orchestration.agents.impl.RunState.Outcome;
import io.ganglion.orchestration.tools.Tool;
import io.ganglion.orchestration.tools.ToolContext;
import io.ganglion.orchestration.tools.ToolResult;
import io.ganglion.store.RunRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The tool calls of one model turn. Each call is first compared with the run's earlier ones as canonical JSON (name
 * and arguments, keys sorted): the first repeat gets a result telling the model it already has that answer, the
 * second ends the run {@code repeated_call}. If a call is of a tool in the agent's {@code approval} list, the run
 * pauses with the turn's calls pending ({@code waiting_approval}). Otherwise all calls run <em>concurrently</em>; each
 * is written as {@code started} before it runs and {@code done} after, so a restart in the middle reports it to the
 * model as interrupted instead of running it again. Results (and errors) pass the reflex layer, then go back to the
 * model in the order it asked.
 * <p>
 * <b>NOTE</b>: runs on the orchestrator's event loop; tools complete their futures there.
 */
final class ToolTurn {

  static final String REPEATED = "You already called %s with exactly these arguments, and its result is above. "
    + "Use that result instead of calling it again.";
  static final String INTERRUPTED = "This call was interrupted by a server restart and was not retried; whether it "
    + "took effect is unknown.";

  /** A call and what to do with it. */
  private record Planned(ToolCall call, boolean repeat) {

    JsonObject toJson() {
      return call.toJson().put("repeat", repeat);
    }

    static Planned fromJson(JsonObject json) {
      return new Planned(ToolCall.fromJson(json), json.getBoolean("repeat", false));
    }
  }

  /** What a call gave the model. */
  private record Done(ToolCall call, String text, boolean error, boolean stop) {
  }

  private final RunServices services;

  ToolTurn(RunServices services) {
    this.services = services;
  }

  /** The calls of a model turn; {@code null} when the run goes on, else how it ends. */
  Future<Outcome> turn(RunState run, List<ToolCall> calls) {
    List<Planned> planned = new ArrayList<>();
    for (ToolCall call : calls) {
      String key = canonical(call);
      int seen = run.repeats.getInteger(key, 0);
      run.repeats.put(key, seen + 1);
      if (seen >= 2) {
        return Future.succeededFuture(new Outcome(RunStatus.REPEATED_CALL, null,
          new JsonObject().put("tool", call.name()).put("message", "the model asked for the same call a third time")));
      }
      planned.add(new Planned(call, seen == 1));
    }
    boolean approval = planned.stream().anyMatch(p -> !p.repeat() && run.agent.needsApproval(p.call().name()));
    if (approval && !run.isChild()) {
      return pause(run, planned);
    }
    return execute(run, planned);
  }

  /** Runs the calls a reviewer approved, then the loop goes on. */
  Future<Outcome> approved(RunState run, JsonArray pending) {
    List<Planned> planned = pending.stream().map(p -> Planned.fromJson((JsonObject) p)).toList();
    return execute(run, planned);
  }

  /**
   * After a restart: if the conversation ends with calls that have no results, each call found {@code done} in the
   * steps gives its recorded result, one found {@code started} is reported as interrupted (never re-run), and one
   * never started runs now.
   */
  Future<Outcome> resume(RunState run) {
    if (run.messages.isEmpty()) {
      return Future.succeededFuture(null);
    }
    ChatMessage last = run.messages.getLast();
    if (last.role() != ChatMessage.Role.ASSISTANT || last.toolCalls().isEmpty()) {
      return Future.succeededFuture(null);
    }
    int lastModel = -1;
    for (int i = 0; i < run.steps().size(); i++) {
      if ("model".equals(run.steps().get(i).getString("type"))) {
        lastModel = i;
      }
    }
    List<Done> known = new ArrayList<>();
    List<Planned> notStarted = new ArrayList<>();
    List<Future<Void>> marked = new ArrayList<>();
    for (ToolCall call : last.toolCalls()) {
      int seq = findStep(run, call, lastModel);
      if (seq < 0) {
        notStarted.add(new Planned(call, false));
        continue;
      }
      JsonObject step = run.steps().get(seq);
      if ("started".equals(step.getString("state"))) {
        step.put("state", "done").put("error", INTERRUPTED);
        marked.add(services.runs().finishStep(run.id, seq, step.copy()));
        known.add(new Done(call, INTERRUPTED, true, false));
      } else {
        boolean error = step.containsKey("error");
        known.add(new Done(call, error ? step.getString("error") : step.getString("result", ""), error, false));
      }
    }
    if (notStarted.isEmpty()) {
      return Future.all(marked).compose(v -> answer(run, last.toolCalls(), known));
    }
    return Future.all(marked).compose(v -> run(run, notStarted)).compose(ran -> {
      List<Done> all = new ArrayList<>(known);
      all.addAll(ran);
      return answer(run, last.toolCalls(), all);
    });
  }

  private Future<Outcome> pause(RunState run, List<Planned> planned) {
    JsonArray pending = new JsonArray();
    planned.forEach(p -> pending.add(p.toJson()));
    for (Planned p : planned) {
      run.emit(RunStreams.TOOL_CALL, new JsonObject().put("id", p.call().id()).put("tool", p.call().name())
        .put("arguments", arguments(p.call())).put("approval", run.agent.needsApproval(p.call().name())));
    }
    return services.runs().pause(run.id, run.owner, run.progress(), pending, services.config().approvalTtlMs())
      .map(held -> held ? new Outcome(RunStatus.WAITING_APPROVAL, null, null) : Outcome.of(RunStatus.CANCELLED));
  }

  private Future<Outcome> execute(RunState run, List<Planned> planned) {
    return run(run, planned).compose(done -> answer(run, planned.stream().map(Planned::call).toList(), done));
  }

  /** Runs every call at once (repeats answered without running); completes when all have finished. */
  private Future<List<Done>> run(RunState run, List<Planned> planned) {
    List<Tool> offered = services.registry().resolve(run.agent.tools(), run.tenant);
    List<RunRepository.StoredStep> started = new ArrayList<>();
    List<Integer> seqs = new ArrayList<>();
    for (Planned p : planned) {
      if (p.repeat()) {
        seqs.add(-1);
        continue;
      }
      JsonObject step = new JsonObject().put("type", "tool").put("id", p.call().id()).put("tool", p.call().name())
        .put("arguments", arguments(p.call())).put("state", "started");
      int seq = run.addStep(step);
      seqs.add(seq);
      started.add(new RunRepository.StoredStep(seq, "tool", p.call().id(), p.call().name(), "started", step));
    }
    Future<Void> written = run.isChild() && started.isEmpty() ? Future.succeededFuture()
      : storedSteps(run, started).compose(rows -> services.runs().addSteps(run.id, rows));
    return written.compose(v -> {
      List<Future<Done>> calls = new ArrayList<>();
      for (int i = 0; i < planned.size(); i++) {
        Planned p = planned.get(i);
        calls.add(p.repeat() ? Future.succeededFuture(new Done(p.call(), REPEATED.formatted(p.call().name()), true, false))
          : call(run, p.call(), seqs.get(i), offered));
      }
      return Future.all(calls).map(all -> calls.stream().map(Future::result).toList());
    });
  }

  private Future<Done> call(RunState run, ToolCall call, int seq, List<Tool> offered) {
    run.emit(RunStreams.TOOL_CALL, new JsonObject().put("id", call.id()).put("tool", call.name())
      .put("arguments", arguments(call)));
    long started = System.nanoTime();
    ToolContext context = new ToolContext(run.id.toString(), run.tenant, run.scopes, run.agent.kbs(),
      Math.max(1, run.remainingMs()));
    return services.tools().execute(call, offered, context)
      .compose(result -> services.guards().toolResult(run, result))
      .compose(guarded -> {
        if (run.handedOver()) {
          // this node is stopping: the step stays 'started', and the node that resumes the run reports it interrupted
          return Future.succeededFuture(new Done(call, INTERRUPTED, true, false));
        }
        double ms = Math.round((System.nanoTime() - started) / 1e5) / 10.0;
        JsonObject step = run.steps().get(seq).put("state", "done").put("ms", ms);
        step.put(guarded.error() ? "error" : "result", guarded.text());
        if (guarded.flagged()) {
          step.put("flagged", "injection").put("action", services.guards().policy().wireName());
        }
        run.emit(RunStreams.TOOL_RESULT, new JsonObject().put("id", call.id()).put("tool", call.name())
          .put(guarded.error() ? "error" : "result", guarded.text()).put("ms", ms));
        return storedStep(run, step).compose(stored -> services.runs().finishStep(run.id, seq, stored))
          .map(v -> {
            run.emit(RunStreams.STEP, step.copy().put("index", seq));
            return new Done(call, guarded.text(), guarded.error(), guarded.stop());
          });
      });
  }

  /** Feeds the results back in the order the model asked, writes the turn; ends the run if a result said stop. */
  private Future<Outcome> answer(RunState run, List<ToolCall> calls, List<Done> done) {
    if (run.handedOver()) {
      return Future.succeededFuture(Outcome.of(RunStatus.CANCELLED));
    }
    Future<Void> chain = Future.succeededFuture();
    for (ToolCall call : calls) {
      Done d = done.stream().filter(x -> x.call() == call || x.call().equals(call)).findFirst()
        .orElse(new Done(call, INTERRUPTED, true, false));
      chain = chain.compose(v -> services.guards().remember(run, ChatMessage.toolResult(call.id(), d.text(), d.error())));
    }
    return chain
      .compose(v -> run.isChild() ? Future.succeededFuture(true)
        : services.runs().progress(run.id, run.owner, services.config().leaseMs(), run.progress(), List.of()))
      .map(held -> {
        if (!held) {
          return Outcome.of(RunStatus.CANCELLED);
        }
        if (done.stream().anyMatch(Done::stop)) {
          return Outcome.failed(ErrorCode.UNPROCESSABLE.code(), ErrorCode.UNPROCESSABLE.slug(),
            "a tool result was flagged as a prompt injection (reflex.injection.indirect.action: stop)");
        }
        return null;
      });
  }

  private Future<List<RunRepository.StoredStep>> storedSteps(RunState run, List<RunRepository.StoredStep> steps) {
    List<Future<RunRepository.StoredStep>> stored = steps.stream().map(s -> storedStep(run, s.detail())
      .map(detail -> new RunRepository.StoredStep(s.seq(), s.type(), s.callId(), s.tool(), s.state(), detail))).toList();
    return Future.all(stored).map(v -> stored.stream().map(Future::result).toList());
  }

  /** A tool step as it is written: arguments, result and error redacted for storage. */
  private Future<JsonObject> storedStep(RunState run, JsonObject step) {
    JsonObject copy = step.copy();
    List<Future<Void>> redactions = new ArrayList<>();
    for (String field : List.of("result", "error")) {
      if (copy.getValue(field) instanceof String text) {
        redactions.add(services.guards().stored(run, text).map(t -> {
          copy.put(field, t);
          return null;
        }));
      }
    }
    Object arguments = copy.getValue("arguments");
    if (arguments != null) {
      String encoded = arguments instanceof JsonObject o ? o.encode() : String.valueOf(arguments);
      redactions.add(services.guards().stored(run, encoded).map(t -> {
        copy.put("arguments", parsedOrText(t));
        return null;
      }));
    }
    return Future.all(redactions).map(copy);
  }

  private static int findStep(RunState run, ToolCall call, int after) {
    for (int i = run.steps().size() - 1; i > after; i--) {
      JsonObject step = run.steps().get(i);
      if ("tool".equals(step.getString("type")) && call.id().equals(step.getString("id"))) {
        return i;
      }
    }
    return -1;
  }

  /** The arguments as JSON when they are an object, else as the text the model wrote. */
  static Object arguments(ToolCall call) {
    JsonObject object = call.argumentsObject();
    return object != null ? object : call.arguments();
  }

  private static Object parsedOrText(String text) {
    try {
      return new JsonObject(text);
    } catch (RuntimeException notJson) {
      return text;
    }
  }

  /** The call as canonical JSON: its name and its arguments with keys sorted at every level. */
  static String canonical(ToolCall call) {
    JsonObject arguments = call.argumentsObject();
    Object args = arguments == null ? call.arguments().strip() : sorted(arguments);
    return new JsonArray().add(call.name()).add(args).encode();
  }

  private static Object sorted(Object value) {
    if (value instanceof JsonObject object) {
      TreeMap<String, Object> map = new TreeMap<>();
      object.forEach(e -> map.put(e.getKey(), sorted(e.getValue())));
      JsonObject out = new JsonObject();
      map.forEach(out::put);
      return out;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(item -> out.add(sorted(item)));
      return out;
    }
    return value;
  }
}
