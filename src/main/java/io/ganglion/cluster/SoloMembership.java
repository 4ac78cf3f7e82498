package io.ganglion.cluster;

import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The membership of a node that runs alone ({@code cluster.enabled: false}): a cluster of one, always quorate, up from
 * the start (it owns every shard).
 */
final class SoloMembership implements Membership {

  private final String nodeId;
  private final String vertxId;
  private final Map<String, ClusterTable> tables = new ConcurrentHashMap<>();
  private final ChangeListeners listeners = new ChangeListeners();
  private volatile Member self;
  private volatile boolean announced = true;

  SoloMembership(String nodeId) {
    this.nodeId = nodeId;
    this.vertxId = "local-" + java.util.UUID.randomUUID();
    this.self = new Member(nodeId, vertxId, "127.0.0.1", 0, 0, Member.State.UP, System.currentTimeMillis());
  }

  @Override
  public boolean clustered() {
    return false;
  }

  @Override
  public Member self() {
    return self;
  }

  @Override
  public List<Member> members() {
    return announced ? List.of(self) : List.of();
  }

  @Override
  public Set<String> ownershipMembers() {
    return announced && self.state() == Member.State.UP ? Set.of(nodeId) : Set.of();
  }

  @Override
  public boolean quorate() {
    return true;
  }

  @Override
  public List<String> liveNodes() {
    return List.of(vertxId);
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public Future<Void> announce(Member.State state) {
    self = self.withState(state);
    announced = true;
    listeners.fire();
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> httpPort(int port) {
    self = self.withHttpPort(port);
    return Future.succeededFuture();
  }

  @Override
  public ClusterTable table(String name) {
    return tables.computeIfAbsent(name, n -> new LocalTable());
  }

  @Override
  public void close() {
    listeners.clear();
  }
}
