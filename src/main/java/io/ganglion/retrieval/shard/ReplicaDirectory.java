package io.ganglion.retrieval.shard;

import io.ganglion.cluster.ClusterTable;
import io.ganglion.cluster.Member;
import io.ganglion.cluster.Membership;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the copies of every shard are, and in which state: the replicated table {@value #TABLE}, one entry per copy
 * ({@code <kbId>/<shard>/<nodeId>} → {@code loading|active}), each written by the node that holds the copy. Entries
 * of members that are not live are ignored (a killed node's copies stop counting when it is detected as gone), and
 * a node clears its predecessor's entries when it starts.
 * <p>
 * <b>NOTE</b>: thread-safe. The table changes on other threads; the index by shard is rebuilt on the first read after
 * a change.
 */
final class ReplicaDirectory {

  static final String TABLE = "ganglion.replicas";

  private final ClusterTable table;
  private final Membership membership;
  private volatile boolean stale = true;
  private volatile Map<ShardKey, Map<String, ReplicaState>> byShard = Map.of();

  ReplicaDirectory(Membership membership) {
    this.membership = membership;
    this.table = membership.table(TABLE);
    table.onChange(() -> stale = true);
    membership.onChange(() -> stale = true);
  }

  Future<Void> set(ShardKey key, String nodeId, ReplicaState state) {
    stale = true;
    return state == ReplicaState.DROPPED ? table.remove(entry(key, nodeId)) : table.put(entry(key, nodeId), state.label());
  }

  /** Removes every entry of {@code nodeId} (a previous process of this node, or a member gone for good). */
  Future<Void> clear(String nodeId) {
    List<Future<Void>> removals = new ArrayList<>();
    for (String key : table.snapshot().keySet()) {
      if (key.endsWith("/" + nodeId)) {
        removals.add(table.remove(key));
      }
    }
    stale = true;
    return Future.join(removals).mapEmpty();
  }

  /** The copies of {@code key} on live members, by node id. */
  Map<String, ReplicaState> copies(ShardKey key) {
    return index().getOrDefault(key, Map.of());
  }

  /**
   * The live members holding an active copy of {@code key}: this node first (searches stay local when they can),
   * then the others by id.
   */
  List<Member> active(ShardKey key) {
    Map<String, ReplicaState> copies = copies(key);
    List<Member> out = new ArrayList<>();
    String self = membership.self().id();
    for (Member m : membership.members()) {
      if (copies.get(m.id()) == ReplicaState.ACTIVE) {
        out.add(m);
      }
    }
    out.sort(Comparator.comparing((Member m) -> !m.id().equals(self)).thenComparing(Member::id));
    return out;
  }

  /** Every live copy, for the cluster report and the gauges. */
  Map<ShardKey, Map<String, ReplicaState>> all() {
    return index();
  }

  private Map<ShardKey, Map<String, ReplicaState>> index() {
    if (!stale) {
      return byShard;
    }
    stale = false;
    Map<String, Member> live = new HashMap<>();
    membership.members().forEach(m -> live.put(m.id(), m));
    Map<ShardKey, Map<String, ReplicaState>> out = new HashMap<>();
    for (Map.Entry<String, String> e : table.snapshot().entrySet()) {
      int last = e.getKey().lastIndexOf('/');
      String nodeId = e.getKey().substring(last + 1);
      if (!live.containsKey(nodeId)) {
        continue;
      }
      ReplicaState state = ReplicaState.valueOf(e.getValue().toUpperCase(java.util.Locale.ROOT));
      out.computeIfAbsent(ShardKey.parse(e.getKey().substring(0, last)), k -> new LinkedHashMap<>()).put(nodeId, state);
    }
    byShard = out;
    return out;
  }

  private static String entry(ShardKey key, String nodeId) {
    return key + "/" + nodeId;
  }
}
