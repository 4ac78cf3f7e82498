package io.ganglion.orchestration.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.generation.ChatMessage;
import io.ganglion.store.ConversationRepository;
import io.ganglion.store.TraceRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * What an ask reads from and leaves in PostgreSQL: the conversation's earlier turns, the new turn, and the trace. A
 * store failure while persisting does not fail an answer already composed: the step is recorded as failed and logged.
 */
public final class Records {

  private static final Logger LOG = LoggerFactory.getLogger(Records.class);

  private final ConversationRepository conversations;
  private final TraceRepository traces;

  public Records(ConversationRepository conversations, TraceRepository traces) {
    this.conversations = conversations;
    this.traces = traces;
  }

  /** Loads the last {@code turns} messages of the ask's conversation; 4040 when the tenant has no such conversation. */
  Future<Integer> history(AskContext ask, int turns) {
    return conversations.get(ask.request.tenant(), ask.request.conversationId())
      .recover(failure -> Future.failedFuture(ErrorCode.UNAVAILABLE.exception("conversation store unavailable: "
        + failure.getMessage())))
      .compose(found -> {
        if (found.isEmpty()) {
          return Future.failedFuture(ErrorCode.NOT_FOUND.exception("no conversation '" + ask.request.conversationId() + "'"));
        }
        if (!found.get().kb().equals(ask.request.kb())) {
          return Future.failedFuture(ErrorCode.INVALID_REQUEST.exception("conversation '" + found.get().id()
            + "' belongs to knowledge base '" + found.get().kb() + "'"));
        }
        ask.conversationId = found.get().id();
        return conversations.recentMessages(ask.conversationId, turns);
      })
      .map(messages -> {
        ask.history = messages.stream()
          .map(m -> new ChatMessage(ChatMessage.Role.ofWireName(m.role()), m.content()))
          .toList();
        return messages.size();
      });
  }

  /**
   * Stores the trace and the conversation turn (starting the conversation if needed) in one statement: this step is on
   * every answer's path, and it was three transactions of about four round trips each, one after the other.
   */
  Future<JsonObject> persist(AskContext ask, String outcome) {
    boolean newConversation = ask.newConversation;
    if (newConversation) {
      ask.conversationId = UUID.randomUUID();
    }
    TraceRepository.Trace trace = trace(ask, outcome, ask.generated.text(), "");
    Future<Void> stored = ask.conversationId == null ? traces.insert(trace)
      : traces.insertWithTurn(trace, newConversation);
    return stored
      .map(v -> new JsonObject().put("traceId", ask.traceId.toString()))
      .recover(failure -> {
        if (newConversation) {
          // nothing was stored: the reply names no conversation
          ask.conversationId = null;
        }
        LOG.warn("trace {} not stored: {}", ask.traceId, failure.getMessage());
        return Future.succeededFuture(new JsonObject().put("status", "failed").put("error", failure.getMessage()));
      });
  }

  /** Stores the trace of an ask that did not complete ({@code cancelled} or {@code failed}). */
  Future<Void> persistFailure(AskContext ask, String outcome, String error) {
    String answer = ask.generated == null ? "" : ask.generated.text();
    return traces.insert(trace(ask, outcome, answer, error));
  }

  private static TraceRepository.Trace trace(AskContext ask, String outcome, String answer, String error) {
    Generation.Generated g = ask.generated;
    JsonArray steps = ask.steps.all();
    if (!error.isEmpty()) {
      steps.add(new JsonObject().put("name", outcome).put("status", "failed").put("error", error));
    }
    List<String> chunkIds = ask.retrieved.stream().map(Passage::chunkId).filter(id -> id != null).toList();
    return new TraceRepository.Trace(ask.traceId, ask.request.tenant(), ask.request.kb(),
      ask.request.inlineHistory() ? null : ask.conversationId, ask.question, ask.query == null ? ask.question : ask.query,
      answer, outcome, g == null ? "none" : g.generator(), g == null || g.abstained(),
      ask.verdict == null ? null : ask.verdict.score(), steps, chunkIds,
      new JsonArray(g == null ? List.of() : List.copyOf(g.citations())),
      g == null ? 0 : g.usage().promptTokens(), g == null ? 0 : g.usage().completionTokens(),
      (int) ask.elapsedMs(), null, null, null, null);
  }
}
