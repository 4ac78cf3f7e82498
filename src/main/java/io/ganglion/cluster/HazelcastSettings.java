package io.ganglion.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.ReplicatedMapConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import io.ganglion.config.ClusterConfig;

/**
 * The Hazelcast member configuration of a node, built from {@code cluster.*} alone (no {@code cluster.xml} on the
 * classpath can change it behind the operator's back).
 * <ul>
 *   <li>Discovery: TCP-IP join with {@code cluster.members} as seeds, or Kubernetes DNS lookup of
 *       {@code cluster.kubernetes.service}; multicast is always off. The member port is exact (no auto-increment).</li>
 *   <li>Failure detection: heartbeats every {@code cluster.heartbeatSeconds}, a member silent for
 *       {@code cluster.failureTimeoutSeconds} is removed (Hazelcast's defaults are 5 s and 60 s). A member that stops
 *       cleanly leaves at once.</li>
 *   <li>Split brain: the sides look for each other every 10 s and merge when they meet again.</li>
 *   <li>The Vert.x structures keep one backup, as vertx-hazelcast's own {@code default-cluster.xml} does, so the
 *       event bus's subscriptions survive a killed member.</li>
 *   <li>Member attributes: {@link #NODE_ID} ({@code cluster.nodeId}) and {@link #ROLE}; a {@link Role#CLIENT} joins
 *       as a Hazelcast lite member and owns no data.</li>
 * </ul>
 * Hazelcast's open-source edition has no member authentication or TLS: membership is full trust (see README).
 */
public final class HazelcastSettings {

  /** The member attribute that carries {@code cluster.nodeId}. */
  public static final String NODE_ID = "ganglion.nodeId";
  /** The member attribute that says whether the member serves ({@code server}) or only calls ({@code client}). */
  public static final String ROLE = "ganglion.role";
  /** The address Hazelcast binds (read from the config by its address picker; no ClusterProperty names it). */
  static final String LOCAL_ADDRESS = "hazelcast.local.localAddress";
  /** The replicated table telling members the models loaded at runtime changed ({@code RuntimeModels#TABLE}). */
  public static final String RUNTIME_MODELS = "ganglion.models";
  /** Seconds between split-brain merge checks. */
  static final int MERGE_CHECK_SECONDS = 10;

  /** What a member does in the cluster. */
  public enum Role {
    /** A Ganglion node: owns shards, serves every address. */
    SERVER,
    /** A JVM service calling the public addresses: a lite member that owns nothing. */
    CLIENT;

    public String attribute() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private HazelcastSettings() {
  }

  /** The configuration of a member of {@code cluster} in {@code role}. */
  public static Config config(ClusterConfig cluster, Role role) {
    Config config = new Config().setClusterName(cluster.name()).setLiteMember(role == Role.CLIENT);
    String host = cluster.advertisedHost();
    NetworkConfig network = config.getNetworkConfig()
      .setPort(cluster.port())
      .setPortAutoIncrement(false)
      .setPublicAddress(host + ":" + cluster.port());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (!cluster.kubernetesService().isEmpty()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", cluster.kubernetesService());
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    config.setProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName(), Integer.toString(cluster.heartbeatSeconds()))
      .setProperty(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName(), Integer.toString(cluster.failureTimeoutSeconds()))
      .setProperty(ClusterProperty.MERGE_FIRST_RUN_DELAY_SECONDS.getName(), Integer.toString(MERGE_CHECK_SECONDS))
      .setProperty(ClusterProperty.MERGE_NEXT_RUN_DELAY_SECONDS.getName(), Integer.toString(MERGE_CHECK_SECONDS))
      // a first member does not wait 5 s for others before it forms a cluster of one
      .setProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName(), "1")
      // a clean stop hands partitions over within this; a shard drain has happened before
      .setProperty(ClusterProperty.GRACEFUL_SHUTDOWN_MAX_WAIT.getName(), "30")
      .setProperty(ClusterProperty.SOCKET_BIND_ANY.getName(), Boolean.toString(cluster.host().isEmpty()))
      .setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false")
      .setProperty(ClusterProperty.LOGGING_TYPE.getName(), "slf4j");
    if (!cluster.host().isEmpty()) {
      config.setProperty(LOCAL_ADDRESS, cluster.host());
    }
    config.getMemberAttributeConfig()
      .setAttribute(NODE_ID, cluster.nodeId())
      .setAttribute(ROLE, role.attribute());
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
      .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    // inference's RuntimeModels: a change of this table tells running members that the models loaded at runtime
    // changed (the set itself lives in PostgreSQL's runtime_models); reads wait for the initial fill-up
    config.addReplicatedMapConfig(new ReplicatedMapConfig(RUNTIME_MODELS).setAsyncFillup(false));
    return config;
  }
}
