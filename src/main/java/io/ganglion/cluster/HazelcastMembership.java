package io.ganglion.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import io.ganglion.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Membership from Hazelcast: the live members come from Hazelcast's member list (a killed member is removed after
 * {@code cluster.failureTimeoutSeconds}, a cleanly stopped one at once), each serving member's descriptor
 * ({@link Member}) from the replicated table {@value #MEMBERS}, written by that member.
 * <p>
 * Listens through Hazelcast's own {@link MembershipListener} rather than Vert.x's single {@code NodeListener} slot,
 * which Vert.x itself uses to clean up the subscriptions of members that left.
 * <p>
 * A member that vanishes without leaving is remembered for {@code cluster.rebalanceDelayMs}: ownership keeps counting
 * it, so its shards are not rebuilt elsewhere while it restarts (Elasticsearch's delayed allocation). Its copies do not
 * serve meanwhile (it is not live); the other copies do.
 */
final class HazelcastMembership implements Membership, MembershipListener, LifecycleListener {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastMembership.class);
  /** The replicated table of member descriptors, by Vert.x node id. */
  static final String MEMBERS = "ganglion.members";
  /** The member attribute vertx-hazelcast stores each member's Vert.x node id in. */
  static final String VERTX_NODE_ID = "__vertx.nodeId";

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final ClusterConfig config;
  private final ClusterTable descriptors;
  private final Map<String, ClusterTable> tables = new ConcurrentHashMap<>();
  private final ChangeListeners listeners = new ChangeListeners();
  /** nodeId -> when it vanished without leaving. */
  private final Map<String, Long> departed = new ConcurrentHashMap<>();
  private final UUID membershipListener;
  private final UUID lifecycleListener;
  private volatile Member self;
  private volatile boolean announced;
  /** The members as last computed; null after any change (descriptors are parsed once per change, not per read). */
  private volatile List<Member> members;
  private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

  HazelcastMembership(Vertx vertx, HazelcastInstance hazelcast, ClusterConfig config, String vertxId) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.config = config;
    this.self = new Member(config.nodeId(), vertxId, config.advertisedHost(), 0, config.eventBusPort(), Member.State.UP,
      System.currentTimeMillis());
    this.descriptors = table(MEMBERS);
    descriptors.onChange(this::changed);
    this.membershipListener = hazelcast.getCluster().addMembershipListener(this);
    this.lifecycleListener = hazelcast.getLifecycleService().addLifecycleListener(this);
  }

  @Override
  public boolean clustered() {
    return true;
  }

  @Override
  public Member self() {
    return self;
  }

  @Override
  public List<Member> members() {
    List<Member> cached = members;
    if (cached != null) {
      return cached;
    }
    long computedAt = generation.get();
    Set<String> live = liveServers();
    Map<String, Member> byId = new HashMap<>();
    for (Map.Entry<String, String> e : descriptors.snapshot().entrySet()) {
      if (!live.contains(e.getKey())) {
        continue;
      }
      Member m = Member.fromJson(new JsonObject(e.getValue()));
      // a restarted member may overlap its predecessor for a moment: the newer process is the member
      byId.merge(m.id(), m, (a, b) -> a.since() >= b.since() ? a : b);
    }
    List<Member> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparing(Member::id));
    out = List.copyOf(out);
    if (generation.get() == computedAt) {
      members = out;
    }
    return out;
  }

  @Override
  public Set<String> ownershipMembers() {
    Set<String> ids = new TreeSet<>();
    Set<String> liveIds = new HashSet<>();
    for (Member m : members()) {
      liveIds.add(m.id());
      if (m.state() == Member.State.UP) {
        ids.add(m.id());
      }
    }
    long now = System.currentTimeMillis();
    departed.entrySet().removeIf(e -> now - e.getValue() >= config.rebalanceDelayMs() || liveIds.contains(e.getKey()));
    ids.addAll(departed.keySet());
    return ids;
  }

  @Override
  public boolean quorate() {
    return liveServers().size() >= config.minMembers();
  }

  @Override
  public List<String> liveNodes() {
    List<String> nodes = new ArrayList<>();
    for (com.hazelcast.cluster.Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getAttribute(VERTX_NODE_ID);
      if (id != null) {
        nodes.add(id);
      }
    }
    return nodes;
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public Future<Void> announce(Member.State state) {
    self = self.withState(state);
    announced = true;
    return publishSelf();
  }

  @Override
  public Future<Void> httpPort(int port) {
    self = self.withHttpPort(port);
    return announced ? publishSelf() : Future.succeededFuture();
  }

  @Override
  public ClusterTable table(String name) {
    return tables.computeIfAbsent(name, n -> new HazelcastTable(vertx, hazelcast.getReplicatedMap(n)));
  }

  @Override
  public void close() {
    hazelcast.getCluster().removeMembershipListener(membershipListener);
    hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
    listeners.clear();
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    LOG.info("cluster member joined: {} ({} members)", describe(event.getMember()), event.getMembers().size());
    changed();
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    com.hazelcast.cluster.Member gone = event.getMember();
    String vertxId = gone.getAttribute(VERTX_NODE_ID);
    String nodeId = gone.getAttribute(HazelcastSettings.NODE_ID);
    String descriptor = vertxId == null ? null : descriptors.get(vertxId);
    boolean left = descriptor != null && Member.fromJson(new JsonObject(descriptor)).state() == Member.State.LEAVING;
    if (nodeId != null && descriptor != null && !left && config.rebalanceDelayMs() > 0) {
      departed.put(nodeId, System.currentTimeMillis());
      vertx.setTimer(config.rebalanceDelayMs() + 1, t -> changed());
      LOG.warn("cluster member {} vanished; its shards wait {} ms for it before being rebuilt elsewhere", nodeId,
        config.rebalanceDelayMs());
    } else {
      LOG.info("cluster member left: {}", describe(gone));
    }
    if (vertxId != null) {
      descriptors.remove(vertxId);
    }
    changed();
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
      LOG.warn("this side of a split cluster merged with the other; republishing this member");
      if (announced) {
        publishSelf();
      }
      changed();
    }
  }

  private Future<Void> publishSelf() {
    Future<Void> put = descriptors.put(self.vertxId(), self.toJson().encode());
    return put.onComplete(ar -> changed());
  }

  private Set<String> liveServers() {
    Set<String> live = new HashSet<>();
    for (com.hazelcast.cluster.Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getAttribute(VERTX_NODE_ID);
      if (id != null && !m.isLiteMember()
        && HazelcastSettings.Role.SERVER.attribute().equals(m.getAttribute(HazelcastSettings.ROLE))) {
        live.add(id);
      }
    }
    return live;
  }

  private void changed() {
    generation.incrementAndGet();
    members = null;
    listeners.fire();
  }

  private static String describe(com.hazelcast.cluster.Member m) {
    return m.getAttribute(HazelcastSettings.NODE_ID) + " (" + m.getAttribute(HazelcastSettings.ROLE) + ", "
      + m.getAddress() + ")";
  }
}
