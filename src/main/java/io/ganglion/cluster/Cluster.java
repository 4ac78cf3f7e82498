package io.ganglion.cluster;

import io.ganglion.config.ClusterConfig;
import io.vertx.core.Vertx;
import io.ganglion.config.ClusterTlsConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * This node's place in the cluster: how a clustered Vert.x is configured ({@link #manager}, {@link #eventBus}), and
 * the {@link Membership} every verticle of the node shares ({@link #membership}). A node that runs alone has a
 * membership too, of itself only, so the code above it has one path.
 */
public final class Cluster {

  /** The local map that holds the node's membership. */
  static final String MAP = "ganglion.cluster";

  private record Holder(Membership membership) implements Shareable {
  }

  private Cluster() {
  }

  /** The Hazelcast cluster manager of a server member. */
  public static HazelcastClusterManager manager(ClusterConfig config, HazelcastSettings.Role role) {
    return new HazelcastClusterManager(HazelcastSettings.config(config, role));
  }

  /** The clustered event bus binds and advertises {@code cluster.host}:{@code cluster.eventBusPort}, in plaintext. */
  public static EventBusOptions eventBus(ClusterConfig config) {
    return eventBus(config, ClusterTlsConfig.OFF);
  }

  /**
   * {@link #eventBus(ClusterConfig)}, over mutual TLS when {@code tls} is on: the node's PEM pair as server and as
   * client, peers checked against the PEM trust bundle both ways ({@code ClientAuth.REQUIRED}).
   */
  public static EventBusOptions eventBus(ClusterConfig config, ClusterTlsConfig tls) {
    String host = config.advertisedHost();
    EventBusOptions options = new EventBusOptions().setHost(config.host().isEmpty() ? "0.0.0.0" : host)
      .setPort(config.eventBusPort()).setClusterPublicHost(host).setClusterPublicPort(config.eventBusPort());
    if (tls.enabled()) {
      options.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert()).setKeyPath(tls.key()))
        .setTrustOptions(new PemTrustOptions().addCertPath(tls.trust()))
        .setClientAuth(ClientAuth.REQUIRED);
    }
    return options;
  }

  /**
   * Installs the membership of a clustered Vert.x, once it has joined: listens to Hazelcast for members coming and
   * going. Call before deploying the verticles.
   */
  public static Membership join(Vertx vertx, HazelcastClusterManager manager, ClusterConfig config) {
    Membership membership = new HazelcastMembership(vertx, manager.getHazelcastInstance(), config, manager.getNodeId());
    map(vertx).put("membership", new Holder(membership));
    return membership;
  }

  /** Installs the membership of a node that runs alone, as {@code cluster.nodeId}. */
  public static Membership alone(Vertx vertx, ClusterConfig config) {
    Membership membership = new SoloMembership(config.nodeId());
    map(vertx).put("membership", new Holder(membership));
    return membership;
  }

  /**
   * The node's membership, as {@link #join} or {@link #alone} installed it; verticles deployed without either (in a
   * test) get a cluster of this node only, created on first use.
   */
  public static Membership membership(Vertx vertx) {
    Holder holder = (Holder) map(vertx).computeIfAbsent("membership",
      k -> new Holder(new SoloMembership(ClusterConfig.from(null).nodeId())));
    return holder.membership();
  }

  private static LocalMap<String, Object> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
