package io.ganglion.orchestration.agents.impl;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The judge step: the agent's model is asked whether an answer accomplishes the task
 * ({@code {"pass":bool,"reason"}}), recorded as a {@code judge} step. An unreadable verdict counts as a pass: the
 * judge may only hold an answer back when it says why.
 */
final class Judge {

  /** The judge's verdict. */
  record Verdict(boolean pass, String reason) {
  }

  private final SingleCall single;

  Judge(SingleCall single) {
    this.single = single;
  }

  Future<Verdict> check(RunState run, String task, String answer) {
    String system = "You check the answers of an agent whose instructions are:\n" + run.agent.instructions()
      + "\n\nReply with only JSON: {\"pass\": true|false, \"reason\": \"...\"}.";
    return single.ask(run, "judge", system,
        "Task: " + task + "\n\nAnswer: " + answer + "\n\nDoes the answer fully and correctly accomplish the task?", false)
      .compose(text -> {
        JsonObject verdict = Planner.parse(text);
        boolean pass = !Boolean.FALSE.equals(verdict.getValue("pass"));
        String reason = verdict.getString("reason", "");
        return single.record(run, new JsonObject().put("type", "judge").put("pass", pass).put("reason", reason))
          .map(new Verdict(pass, reason));
      });
  }
}
