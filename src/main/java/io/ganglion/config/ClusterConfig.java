package io.ganglion.config;

import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The {@code cluster} section: whether this node joins a Hazelcast cluster, how it finds the others, how many copies
 * of each shard the cluster keeps, and how fast it reacts to members coming and going. Off by default: one node with
 * embedded stores needs none of it.
 *
 * @param enabled              join a cluster (needs external {@code postgres.url} and {@code redis.url})
 * @param name                 the cluster's name: members join only a cluster of the same name
 * @param host                 the address this node binds and advertises for Hazelcast and the clustered event bus
 * @param port                 the Hazelcast member port (exact: no auto-increment, so firewalls can name it)
 * @param members              TCP-IP seeds, {@code host:port}; multicast is always off
 * @param kubernetesService    the headless service whose DNS records list the members (instead of {@code members})
 * @param replication          copies of each shard, never two on one node
 * @param nodeId               this node's stable identity: shard ownership hashes it, so a restarted node gets its own
 *                             shards back
 * @param eventBusPort         the clustered event bus's TCP port
 * @param minMembers           the quorum: below it a node serves searches and writes but no cached answers, and makes
 *                             no shard ownership decisions
 * @param heartbeatSeconds     how often members heartbeat each other
 * @param failureTimeoutSeconds a member silent this long is removed (a killed node is detected within it plus a
 *                             heartbeat)
 * @param rebalanceDelayMs     how long the copies of a member that vanished wait for it to come back before other
 *                             members rebuild them (a member that leaves cleanly hands its shards over at once)
 * @param maxConcurrentLoads   replicas one node loads at the same time (moves are throttled)
 * @param shardTimeoutMs       deadline of one shard's part of a search on another node, after which another copy is
 *                             tried
 * @param drainTimeoutMs       on a clean stop, how long a node waits for its shards' new owners before leaving anyway
 * @param syncIntervalMs       how often a node re-reads the knowledge bases' versions from PostgreSQL (catches up any
 *                             change it was not told about; bounds how long an unacknowledged cache may live)
 * @param invalidationWaitMs   how long an ingest or delete waits for every member to acknowledge the new version
 */
public record ClusterConfig(boolean enabled, String name, String host, int port, List<String> members, String kubernetesService,
                            int replication, String nodeId, int eventBusPort, int minMembers, int heartbeatSeconds,
                            int failureTimeoutSeconds, long rebalanceDelayMs, int maxConcurrentLoads,
                            long shardTimeoutMs, long drainTimeoutMs, long syncIntervalMs, long invalidationWaitMs) {

  /** Node ids: what a host name may look like, so they read well in logs and addresses. */
  public static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9._-]+(:\\d{1,5})?|\\[[0-9a-fA-F:]+](:\\d{1,5})?");

  public ClusterConfig {
    members = List.copyOf(members);
  }

  /**
   * Reads the {@code cluster} section.
   *
   * @throws ConfigException naming the first bad key
   */
  public static ClusterConfig from(JsonObject cluster) {
    ConfigReader r = new ConfigReader(cluster, "cluster");
    boolean enabled = r.bool("enabled", false);
    String host = r.string("host", "");
    List<String> members = r.strings("members");
    for (String member : members) {
      if (!MEMBER.matcher(member).matches()) {
        throw new ConfigException(r.key("members"), "'" + member + "' is not host or host:port");
      }
    }
    String service = r.child("kubernetes").string("service", "");
    if (enabled && !members.isEmpty() && !service.isEmpty()) {
      throw new ConfigException(r.key("members"), "set either cluster.members or cluster.kubernetes.service, not both");
    }
    String nodeId = r.string("nodeId", "");
    if (nodeId.isEmpty()) {
      nodeId = sanitised(hostName());
    } else if (!NODE_ID.matcher(nodeId).matches()) {
      throw new ConfigException(r.key("nodeId"),
        "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit, got '" + nodeId + "'");
    }
    int heartbeat = r.integer("heartbeatSeconds", 2, 1, 60);
    int failure = r.integer("failureTimeoutSeconds", 10, 2, 600);
    if (failure <= heartbeat) {
      throw new ConfigException(r.key("failureTimeoutSeconds"),
        "must be longer than cluster.heartbeatSeconds (" + heartbeat + "), got " + failure);
    }
    String name = r.string("name", "ganglion");
    if (!NODE_ID.matcher(name).matches()) {
      throw new ConfigException(r.key("name"), "must be 1-63 letters, digits, '.', '_' or '-', got '" + name + "'");
    }
    return new ClusterConfig(
      enabled,
      name,
      host,
      r.integer("port", 5701, 1, 65535),
      members,
      service,
      r.integer("replication", 2, 1, 16),
      nodeId,
      r.integer("eventBusPort", 5710, 0, 65535),
      r.integer("minMembers", 1, 1, 1000),
      heartbeat,
      failure,
      r.longValue("rebalanceDelayMs", 60_000, 0, 86_400_000),
      r.integer("maxConcurrentLoads", 2, 1, 64),
      r.longValue("shardTimeoutMs", 2_000, 50, 600_000),
      r.longValue("drainTimeoutMs", 30_000, 0, 600_000),
      r.longValue("syncIntervalMs", 250, 50, 600_000),
      r.longValue("invalidationWaitMs", 500, 0, 500));
  }

  /** The same settings under another node id. */
  public ClusterConfig withNodeId(String id) {
    return new ClusterConfig(enabled, name, host, port, members, kubernetesService, replication, id, eventBusPort,
      minMembers, heartbeatSeconds, failureTimeoutSeconds, rebalanceDelayMs, maxConcurrentLoads, shardTimeoutMs,
      drainTimeoutMs, syncIntervalMs, invalidationWaitMs);
  }

  /** The address to bind and advertise: {@code host}, else the address the host name resolves to. */
  public String advertisedHost() {
    if (!host.isEmpty()) {
      return host;
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  private static String hostName() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "ganglion";
    }
  }

  /** A host name as a node id: its first 63 id characters (host names are nearly ids already). */
  static String sanitised(String name) {
    String id = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+", "");
    id = id.length() > 63 ? id.substring(0, 63) : id;
    return id.isEmpty() ? "ganglion" : id;
  }
}
