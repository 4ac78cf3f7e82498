package io.ganglion.orchestration.agents.impl;

import io.ganglion.orchestration.impl.ReflexHook;
import io.ganglion.orchestration.tools.ToolResult;
import io.ganglion.reflex.IndirectInjectionPolicy;
import io.ganglion.generation.ChatMessage;
import io.ganglion.generation.ToolCall;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The reflex layer around a run. A tool result is inspected (direction {@code input}: it goes into the model) before
 * the model sees it: PII is masked, and a result the injection detector flags — indirect prompt injection, the main
 * attack on agents — is withheld, wrapped as untrusted data, or stops the run, per
 * {@code reflex.injection.indirect.action}. Texts written to the run's steps are redacted for storage (direction
 * {@code stored}). With no reflex verticle deployed texts pass unchanged (the step says {@code reflex: skipped}).
 */
final class Guards {

  static final String WITHHELD = "[withheld: this tool result was flagged as a possible prompt injection and is not shown]";

  /**
   * A tool result as the model will see it.
   *
   * @param flagged whether the injection detector flagged it
   * @param stop    whether the run must stop (flagged under {@code stop})
   * @param reflex  {@code ok}, {@code skipped} or {@code failed}
   */
  record Guarded(String text, boolean error, boolean flagged, boolean stop, String reflex) {
  }

  private final ReflexHook reflex;
  private final IndirectInjectionPolicy policy;

  Guards(ReflexHook reflex, IndirectInjectionPolicy policy) {
    this.reflex = reflex;
    this.policy = policy;
  }

  IndirectInjectionPolicy policy() {
    return policy;
  }

  /**
   * Two inspections at once: {@code ganglion.reflex.inspect.passages} decides whether the result carries instructions
   * (the detector for untrusted content, as for an ask's retrieved passages; in shadow mode it is only recorded), and
   * {@code ganglion.reflex.inspect} (direction {@code input}) masks its PII, or withholds it when a PII type is set to
   * block.
   */
  Future<Guarded> toolResult(RunState run, ToolResult result) {
    Future<JsonObject> screen = reflex.inspectPassages(List.of(result.text()), run.tenant, null, run.hop());
    Future<ReflexHook.Inspection> pii = reflex.inspect(result.text(), "input", run.tenant, null, run.hop());
    return Future.all(screen, pii).map(v -> {
      ReflexHook.Inspection inspection = pii.result();
      JsonObject verdicts = screen.result();
      JsonArray passages = verdicts == null ? new JsonArray() : verdicts.getJsonArray("passages", new JsonArray());
      boolean flagged = !passages.isEmpty() && Boolean.TRUE.equals(passages.getJsonObject(0).getValue("injection"));
      boolean enforced = verdicts != null && verdicts.getBoolean("enforced", true);
      // a block from the input inspection's own injection check is the screen's to decide; a PII block withholds
      String text = inspection.blocked() && !inspection.injection() ? "[withheld by policy]" : inspection.text();
      String status = verdicts == null ? "failed" : inspection.status();
      if (!flagged || !enforced) {
        return new Guarded(text, result.error(), flagged, false, status);
      }
      return switch (policy) {
        case WITHHOLD -> new Guarded(WITHHELD, true, true, false, status);
        case WRAP -> new Guarded(IndirectInjectionPolicy.wrap(text), result.error(), true, false, status);
        case STOP -> new Guarded(WITHHELD, true, true, true, status);
      };
    });
  }

  /** {@code text} as it may be stored: PII redacted with the {@code stored} policy. */
  Future<String> stored(RunState run, String text) {
    if (text == null || text.isEmpty()) {
      return Future.succeededFuture(text);
    }
    return reflex.inspect(text, "stored", run.tenant, null, run.hop()).map(ReflexHook.Inspection::text);
  }

  /**
   * Adds {@code message} to the run's conversation, and its storage copy (content and call arguments redacted for
   * storage) to the conversation kept for resuming. Call in order; the future completes when both are added.
   */
  Future<Void> remember(RunState run, ChatMessage message) {
    run.messages.add(message);
    // the slot is taken now, so storage keeps the conversation's order whatever order redactions finish in
    int slot = run.storedMessages.size();
    run.storedMessages.add(message.toJson());
    Future<String> content = stored(run, message.content());
    List<Future<String>> arguments = message.toolCalls().stream().map(c -> stored(run, c.arguments())).toList();
    return Future.all(content, Future.all(arguments)).map(v -> {
      List<ToolCall> calls = new ArrayList<>();
      for (int i = 0; i < message.toolCalls().size(); i++) {
        ToolCall c = message.toolCalls().get(i);
        calls.add(new ToolCall(c.id(), c.name(), arguments.get(i).result()));
      }
      run.storedMessages.set(slot, new ChatMessage(message.role(), content.result(), calls, message.toolCallId(),
        message.error()).toJson());
      return null;
    });
  }
}
