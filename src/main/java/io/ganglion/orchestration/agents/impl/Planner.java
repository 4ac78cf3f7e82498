package io.ganglion.orchestration.agents.impl;

import io.ganglion.orchestration.agents.RunStatus;
import io.ganglion.orchestration.agents.impl.RunState.Outcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A planner agent: its model splits the task into steps for its {@code agents}
 * ({@code {"parallel":bool,"steps":[{"agent","task"}]}}), the sub-agents run them — all at once, or one after another
 * each seeing the results so far — and its model writes the answer from their results. With {@code judge}, the
 * {@link Judge} checks the answer against the task first; a failed check gets one revision with the judge's reason,
 * which the judge checks again (recorded) before it is returned.
 */
final class Planner {

  private final SingleCall single;
  private final Judge judge;

  Planner(RunServices services) {
    this.single = new SingleCall(services);
    this.judge = new Judge(single);
  }

  /** A step of the plan. */
  private record Task(AgentCatalog.Found agent, String task) {
  }

  Future<Outcome> run(RunState run, List<AgentCatalog.Found> agents, Function<RunState, Future<Outcome>> runAgent) {
    StringBuilder list = new StringBuilder();
    agents.forEach(a -> list.append("- ").append(a.spec().name()).append(": ").append(a.spec().description()).append('\n'));
    String system = run.agent.instructions() + "\n\nYou plan work for these agents:\n" + list
      + "Reply with only JSON: {\"parallel\": true|false, \"steps\": [{\"agent\": \"<name>\", \"task\": \"...\"}]}. "
      + "parallel is true when the steps do not depend on each other.";
    return single.ask(run, "plan", system, run.input, false).compose(text -> {
      JsonObject plan = parse(text);
      List<Task> tasks = tasks(plan, agents, run.input);
      boolean parallel = plan.getBoolean("parallel", false);
      JsonArray shown = new JsonArray();
      tasks.forEach(t -> shown.add(new JsonObject().put("agent", t.agent().spec().name()).put("task", t.task())));
      return single.record(run, new JsonObject().put("type", "plan").put("parallel", parallel).put("steps", shown))
        .compose(v -> parallel ? all(run, tasks, runAgent) : inOrder(run, tasks, runAgent, 0, new ArrayList<>()));
    }).compose(results -> {
      if (run.cancelled()) {
        return Future.succeededFuture(Outcome.of(RunStatus.CANCELLED));
      }
      return answer(run, results, null).compose(output -> !run.agent.judge() ? Future.succeededFuture(output)
        : judge.check(run, run.input, output).compose(verdict -> verdict.pass() ? Future.succeededFuture(output)
          // one revision, itself checked: the second verdict is recorded, and the revision returned either way
          : answer(run, results, verdict.reason()).compose(revised -> judge.check(run, run.input, revised).map(revised))))
        .map(Outcome::completed);
    });
  }

  private Future<String> answer(RunState run, List<String> results, String feedback) {
    StringBuilder user = new StringBuilder("Task: ").append(run.input).append("\n\nResults of the steps:\n");
    for (int i = 0; i < results.size(); i++) {
      user.append(i + 1).append(". ").append(results.get(i)).append('\n');
    }
    if (feedback != null) {
      user.append("\nA reviewer found an earlier answer lacking: ").append(feedback).append("\nDo better.");
    }
    return single.ask(run, "answer", run.agent.instructions() + "\n\nWrite the final answer to the task from the "
      + "results of its steps.", user.toString(), true);
  }

  private Future<List<String>> all(RunState run, List<Task> tasks, Function<RunState, Future<Outcome>> runAgent) {
    List<Future<String>> results = tasks.stream().map(t -> step(run, t, t.task(), runAgent)).toList();
    return Future.all(results).map(v -> results.stream().map(Future::result).toList());
  }

  private Future<List<String>> inOrder(RunState run, List<Task> tasks, Function<RunState, Future<Outcome>> runAgent,
                                       int index, List<String> done) {
    if (index == tasks.size() || run.cancelled()) {
      return Future.succeededFuture(done);
    }
    Task task = tasks.get(index);
    String withContext = done.isEmpty() ? task.task()
      : task.task() + "\n\nResults so far:\n" + String.join("\n", done);
    return step(run, task, withContext, runAgent).compose(result -> {
      done.add(result);
      return inOrder(run, tasks, runAgent, index + 1, done);
    });
  }

  private Future<String> step(RunState run, Task task, String input, Function<RunState, Future<Outcome>> runAgent) {
    long started = System.nanoTime();
    return runAgent.apply(run.child(task.agent().spec(), input)).compose(outcome -> {
      String result = outcome.status() == RunStatus.COMPLETED ? outcome.output()
        : "(" + task.agent().spec().name() + " ended " + outcome.status().wireName() + ")";
      return single.record(run, new JsonObject().put("type", "agent").put("agent", task.agent().spec().name())
          .put("task", task.task()).put("status", outcome.status().wireName()).put("output", result)
          .put("ms", Math.round((System.nanoTime() - started) / 1e5) / 10.0))
        .map(task.agent().spec().name() + ": " + result);
    });
  }

  /** The plan's steps for known agents; a plan that names none becomes one step of the first agent. */
  private static List<Task> tasks(JsonObject plan, List<AgentCatalog.Found> agents, String input) {
    List<Task> tasks = new ArrayList<>();
    JsonArray steps = plan.getValue("steps") instanceof JsonArray a ? a : new JsonArray();
    for (Object item : steps) {
      if (item instanceof JsonObject step && step.getValue("agent") instanceof String name
        && step.getValue("task") instanceof String task) {
        agents.stream().filter(a -> a.spec().name().equals(name)).findFirst()
          .ifPresent(agent -> tasks.add(new Task(agent, task)));
      }
    }
    if (tasks.isEmpty()) {
      tasks.add(new Task(agents.getFirst(), input));
    }
    return tasks.size() > 16 ? tasks.subList(0, 16) : tasks;
  }

  /** The first JSON object in a model's answer (models wrap JSON in prose or code fences). */
  static JsonObject parse(String text) {
    int start = text.indexOf('{');
    int end = text.lastIndexOf('}');
    if (start < 0 || end <= start) {
      return new JsonObject();
    }
    try {
      return new JsonObject(text.substring(start, end + 1));
    } catch (RuntimeException notJson) {
      return new JsonObject();
    }
  }
}
