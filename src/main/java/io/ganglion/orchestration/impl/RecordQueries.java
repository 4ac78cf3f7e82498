package io.ganglion.orchestration.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.store.ConversationRepository;
import io.ganglion.store.Keyset;
import io.ganglion.store.TraceRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * The read side of conversations and traces, and feedback: {@code ganglion.orchestrator.conversation.get},
 * {@code ganglion.orchestrator.trace.get}, {@code ganglion.orchestrator.trace.list},
 * {@code ganglion.orchestrator.trace.feedback}. Another tenant's records and
 * malformed ids are 4040, like missing ones.
 */
public final class RecordQueries {

  private final ConversationRepository conversations;
  private final TraceRepository traces;

  public RecordQueries(ConversationRepository conversations, TraceRepository traces) {
    this.conversations = conversations;
    this.traces = traces;
  }

  public Future<JsonObject> conversation(JsonObject request) {
    String tenant = tenant(request);
    UUID id = id(request, "conversation");
    return conversations.get(tenant, id)
      .compose(found -> found.isEmpty() ? Future.failedFuture(ErrorCode.NOT_FOUND.exception("no conversation '" + id + "'"))
        : conversations.messages(id).map(messages -> {
          JsonArray turns = new JsonArray();
          messages.forEach(m -> turns.add(new JsonObject().put("role", m.role()).put("content", m.content())
            .put("traceId", m.traceId() == null ? null : m.traceId().toString()).put("createdAt", m.createdAt().toString())));
          return new JsonObject().put("id", id.toString()).put("kb", found.get().kb())
            .put("createdAt", found.get().createdAt().toString()).put("updatedAt", found.get().updatedAt().toString())
            .put("messages", turns);
        }));
  }

  public Future<JsonObject> trace(JsonObject request) {
    String tenant = tenant(request);
    UUID id = id(request, "trace");
    return traces.get(tenant, id).compose(found -> found.isEmpty()
      ? Future.failedFuture(ErrorCode.NOT_FOUND.exception("no trace '" + id + "'"))
      : Future.succeededFuture(found.get().toJson()));
  }

  /**
   * A page of the tenant's traces, newest first: {@code {"tenant","kb"?,"after"?,"limit"}} to
   * {@code {"traces":[summary...],"next"}}; {@code next} (and {@code after}) is {@code <createdAt>_<id>}.
   */
  public Future<JsonObject> traces(JsonObject request) {
    String tenant = tenant(request);
    Object kb = request.getValue("kb");
    Object limitValue = request.getValue("limit");
    if (kb != null && !(kb instanceof String)) {
      throw ErrorCode.INVALID_REQUEST.exception("'kb' must be a string");
    }
    if (!(limitValue instanceof Integer limit) || limit < 1 || limit > 500) {
      throw ErrorCode.INVALID_REQUEST.exception("'limit' must be a whole number from 1 to 500");
    }
    Keyset after = Keyset.parse(request.getString("after"));
    return traces.list(tenant, (String) kb, after, limit + 1).map(list -> {
      JsonArray page = new JsonArray();
      list.stream().limit(limit).forEach(t -> page.add(t.summary()));
      TraceRepository.Trace last = list.size() > limit ? list.get(limit - 1) : null;
      return new JsonObject().put("traces", page)
        .put("next", last == null ? null : new Keyset(last.createdAt(), last.id()).cursor());
    });
  }

  public Future<JsonObject> feedback(JsonObject request) {
    String tenant = tenant(request);
    UUID id = id(request, "trace");
    Object rating = request.getValue("rating");
    if (!(rating instanceof Integer || rating instanceof Long) || Math.abs(((Number) rating).intValue()) != 1) {
      throw ErrorCode.INVALID_REQUEST.exception("'rating' must be -1 or 1");
    }
    Object comment = request.getValue("comment");
    if (comment != null && !(comment instanceof String)) {
      throw ErrorCode.INVALID_REQUEST.exception("'comment' must be a string");
    }
    if (comment != null && ((String) comment).length() > 4000) {
      throw ErrorCode.PAYLOAD_TOO_LARGE.exception("'comment' is longer than 4000 characters");
    }
    int value = ((Number) rating).intValue();
    return traces.feedback(tenant, id, value, (String) comment).compose(updated -> updated
      ? Future.succeededFuture(new JsonObject().put("traceId", id.toString()).put("rating", value).put("comment", comment))
      : Future.failedFuture(ErrorCode.NOT_FOUND.exception("no trace '" + id + "'")));
  }

  private static String tenant(JsonObject request) {
    String tenant = request.getString("tenant");
    if (tenant == null || tenant.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'tenant' is required");
    }
    return tenant;
  }

  private static UUID id(JsonObject request, String what) {
    Object id = request.getValue("id");
    try {
      return UUID.fromString(String.valueOf(id));
    } catch (IllegalArgumentException e) {
      throw ErrorCode.NOT_FOUND.exception("no " + what + " '" + id + "'");
    }
  }
}
