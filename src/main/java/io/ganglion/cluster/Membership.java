package io.ganglion.cluster;

import io.vertx.core.Future;

import java.util.List;
import java.util.Set;

/**
 * Who is in the cluster, as this node sees it. On a single node (cluster off) the cluster is this node alone.
 * <p>
 * <b>NOTE</b>: thread-safe; listeners are called on the Vert.x context they were registered from.
 */
public interface Membership {

  /** Whether this node runs in a cluster ({@code cluster.enabled}). */
  boolean clustered();

  /** This node as it announced itself (its state {@link Member.State#UP} once announced). */
  Member self();

  /** The live serving members that have announced themselves, this node included, sorted by id. */
  List<Member> members();

  /** The live serving member with this {@code cluster.nodeId}, if any. */
  default Member member(String id) {
    for (Member m : members()) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    return null;
  }

  /**
   * The member ids shard ownership is computed over: live members that are {@link Member.State#UP}, plus members that
   * vanished without leaving less than {@code cluster.rebalanceDelayMs} ago (their copies wait for them rather than
   * being rebuilt elsewhere at once).
   */
  Set<String> ownershipMembers();

  /** Whether this side of the cluster has at least {@code cluster.minMembers} serving members. */
  boolean quorate();

  /** The Vert.x node ids of every live member, clients included (whom a broadcast must reach). */
  List<String> liveNodes();

  /** Calls {@code listener} on the caller's context whenever members, their states or the quorum change. */
  void onChange(Runnable listener);

  /** Announces this node with {@code state} (and its HTTP port once known); others see it shortly after. */
  Future<Void> announce(Member.State state);

  /** Records the HTTP port this node listens on. */
  Future<Void> httpPort(int port);

  /** The replicated table {@code name}. */
  ClusterTable table(String name);

  /** Leaves the cluster listeners (the cluster manager itself is closed with Vert.x). */
  void close();
}
