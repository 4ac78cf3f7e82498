package io.ganglion.cluster;

import io.vertx.core.json.JsonObject;

/**
 * A serving member as every node sees it: its stable id ({@code cluster.nodeId}), the Vert.x node id of its current
 * process (which changes at every start, and names the member's node-local addresses), where it serves, and whether
 * it is taking shards or handing them over.
 *
 * @param id       {@code cluster.nodeId}
 * @param vertxId  the Vert.x node id of this process
 * @param host     the address it advertises
 * @param httpPort its HTTP port (0 until HTTP listens)
 * @param busPort  its clustered event-bus port
 * @param state    {@link State#UP} once it takes shards, {@link State#LEAVING} while it drains before a clean stop
 * @param since    when this process announced itself (epoch milliseconds)
 */
public record Member(String id, String vertxId, String host, int httpPort, int busPort, State state, long since) {

  /** Whether a member takes shards. */
  public enum State {
    /** Takes shards: ownership counts it. */
    UP,
    /** Stopping cleanly: ownership no longer counts it, and it leaves once its shards have other active copies. */
    LEAVING
  }

  public Member withState(State newState) {
    return new Member(id, vertxId, host, httpPort, busPort, newState, since);
  }

  public Member withHttpPort(int port) {
    return new Member(id, vertxId, host, port, busPort, state, since);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("vertxId", vertxId).put("host", host).put("httpPort", httpPort)
      .put("busPort", busPort).put("state", state.name().toLowerCase(java.util.Locale.ROOT)).put("since", since);
  }

  public static Member fromJson(JsonObject json) {
    return new Member(json.getString("id"), json.getString("vertxId"), json.getString("host"),
      json.getInteger("httpPort", 0), json.getInteger("busPort", 0),
      State.valueOf(json.getString("state", "up").toUpperCase(java.util.Locale.ROOT)), json.getLong("since", 0L));
  }
}
