package io.ganglion.inference;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.cluster.Cluster;
import io.ganglion.cluster.Member;
import io.ganglion.inference.impl.RuntimeModels;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Loads and unloads a model on every serving member at once (what {@code /v1/admin/models} does on any node), so a
 * knowledge base's model is there on whichever node serves or owns the knowledge base.
 * <ul>
 *   <li>Load: the entry goes to every member's {@code ganglion.inference.model.load.<node>}. A member that has that
 *   {@code name@version} already counts as loaded. When any member fails (not enough memory, an unreadable graph, no
 *   answer in time), the members that loaded it for this request unload it again and the load fails with that member's
 *   code, naming it: a model is loaded on all serving members or on none of those this request reached.</li>
 *   <li>Unload: sent to every member; a member without the model counts as done. A refusal (a knowledge base records
 *   the model, or it is a member's default) fails the unload with that refusal.</li>
 * </ul>
 * A member without an inference verticle (no handler) is skipped. A load that succeeded is recorded in PostgreSQL
 * ({@link RuntimeModels}), and an unload deletes the record, so a node that joins later, a node restarted alone and a
 * whole cluster started again load the model while they start, before they report ready. A load that cannot be
 * recorded (PostgreSQL unavailable) is unloaded again and fails with that code, so no member serves a model a restart
 * would forget; an unload whose record cannot be deleted fails (a retry deletes it: a model no member has but whose
 * record exists counts as unloaded then).
 * <p>
 * <b>NOTE</b>: call from a Vert.x context; the reply arrives on it.
 */
public final class ModelAdminClient {

  private record Outcome(Member node, JsonObject reply, Throwable failure) {

    boolean ok() {
      return failure == null;
    }

    ErrorCode code() {
      return ErrorCode.of(failure);
    }

    boolean absent() {
      return failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
    }
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelAdminClient.class);

  private final Vertx vertx;
  private final RuntimeModels runtime;

  /** @param records where the loaded models are recorded (the admin route's PostgreSQL) */
  public ModelAdminClient(Vertx vertx, io.ganglion.store.RuntimeModelRepository records) {
    this.vertx = vertx;
    this.runtime = new RuntimeModels(vertx, records);
  }

  /**
   * Loads the {@code inference.models} entry on every serving member within {@code timeoutMs}; replies with the model
   * as {@code ganglion.inference.models} lists it, plus {@code "nodes":{"<cluster.nodeId>":"loaded"|"already loaded"}}.
   */
  public Future<JsonObject> load(JsonObject entry, long timeoutMs) {
    List<Member> nodes = members();
    List<Future<Outcome>> sent = nodes.stream().map(node -> send(node, "load", entry, timeoutMs)).toList();
    return Future.join(sent).transform(ignored -> {
      List<Outcome> outcomes = sent.stream().map(Future::result).toList();
      List<Outcome> loaded = outcomes.stream().filter(Outcome::ok).toList();
      List<Outcome> already = outcomes.stream().filter(o -> !o.ok() && o.code() == ErrorCode.CONFLICT).toList();
      Outcome failed = outcomes.stream().filter(o -> !o.ok() && !o.absent() && o.code() != ErrorCode.CONFLICT)
        .findFirst().orElse(null);
      if (failed != null) {
        return undo(loaded, timeoutMs, failed.code(), "node " + failed.node().id() + " could not load the model: "
          + failed.failure().getMessage());
      }
      if (loaded.isEmpty()) {
        return Future.failedFuture(already.isEmpty()
          ? ErrorCode.UNAVAILABLE.exception("no node runs inference to load the model on")
          : already.get(0).code().exception(already.get(0).failure().getMessage()));
      }
      JsonObject states = new JsonObject();
      loaded.forEach(o -> states.put(o.node().id(), "loaded"));
      already.forEach(o -> states.put(o.node().id(), "already loaded"));
      JsonObject reply = loaded.get(0).reply().copy().put("nodes", states);
      String ref = reply.getString("ref");
      return runtime.loaded(ref, entry).map(reply).recover(e -> {
        LOG.warn("{} loaded on every member, but recording it failed; unloading it again: {}", ref, e.toString());
        return undo(loaded, timeoutMs, ErrorCode.of(e), "the model loaded but could not be recorded, so a restart "
          + "would not load it again: " + e.getMessage());
      });
    });
  }

  /** Unloads the model again from the members that {@code loaded} it for this request, then fails with code. */
  private Future<JsonObject> undo(List<Outcome> loaded, long timeoutMs, ErrorCode code, String message) {
    String ref = loaded.isEmpty() ? null : loaded.get(0).reply().getString("ref");
    List<Future<Outcome>> undone = ref == null ? List.of() : loaded.stream()
      .map(o -> send(o.node(), "unload", new JsonObject().put("model", ref), timeoutMs)).toList();
    return Future.join(new ArrayList<>(undone)).transform(done -> Future.failedFuture(code.exception(message
      + (undone.isEmpty() ? "" : " (unloaded again from the " + undone.size() + " node(s) that had loaded it)"))));
  }

  /**
   * Unloads {@code ref} ({@code name@version}) from every serving member within {@code timeoutMs}; replies
   * {@code {"unloaded":ref,"nodes":{"<cluster.nodeId>":"unloaded"|"not loaded"}}}.
   */
  public Future<JsonObject> unload(String ref, long timeoutMs) {
    JsonObject request = new JsonObject().put("model", ref);
    List<Future<Outcome>> sent = members().stream().map(node -> send(node, "unload", request, timeoutMs)).toList();
    return Future.join(sent).transform(ignored -> {
      List<Outcome> outcomes = sent.stream().map(Future::result).toList();
      Outcome refused = outcomes.stream()
        .filter(o -> !o.ok() && !o.absent() && o.code() != ErrorCode.NOT_FOUND).findFirst().orElse(null);
      if (refused != null) {
        return Future.failedFuture(refused.code().exception(refused.failure().getMessage()
          + (outcomes.size() > 1 ? " (node " + refused.node().id() + ")" : "")));
      }
      JsonObject states = new JsonObject();
      outcomes.stream().filter(o -> !o.absent())
        .forEach(o -> states.put(o.node().id(), o.ok() ? "unloaded" : "not loaded"));
      JsonObject reply = new JsonObject().put("unloaded", ref).put("nodes", states);
      if (outcomes.stream().noneMatch(Outcome::ok)) {
        Outcome missing = outcomes.stream().filter(o -> !o.absent()).findFirst().orElse(null);
        if (missing == null) {
          return Future.failedFuture(ErrorCode.UNAVAILABLE.exception("no node runs inference to unload the model from"));
        }
        // no member has it; a record left by an unload whose deletion failed is deleted now
        return runtime.unloaded(ref).compose(removed -> removed ? Future.succeededFuture(reply)
          : Future.failedFuture(missing.code().exception(missing.failure().getMessage())));
      }
      return runtime.unloaded(ref).map(reply).recover(e -> Future.failedFuture(ErrorCode.of(e).exception(ref
        + " is unloaded from every member, but its record could not be deleted, so a restart would load it again; "
        + "retry the unload: " + e.getMessage())));
    });
  }

  /** The serving members, or this node alone before it announced itself. */
  private List<Member> members() {
    List<Member> members = Cluster.membership(vertx).members();
    return members.isEmpty() ? List.of(Cluster.membership(vertx).self()) : members;
  }

  private Future<Outcome> send(Member node, String step, JsonObject body, long timeoutMs) {
    return vertx.eventBus().<JsonObject>request(Addresses.inferenceModelAdmin(node.vertxId(), step), body,
        Deadlines.within(timeoutMs))
      .map(Message::body)
      .map(reply -> new Outcome(node, reply, null))
      .otherwise(failure -> new Outcome(node, null, failure));
  }
}
