package io.ganglion.cluster;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * A JVM service calling Ganglion over the clustered event bus (README, "Event-bus clients"): it joins the cluster as a
 * Hazelcast lite member marked {@code client} (it owns no shards and counts in no quorum) and sends JSON to the public
 * addresses of verticles.md. Cluster membership is full trust: such a client names any tenant it likes, so run it only
 * inside the cluster's isolated network; untrusted callers use HTTP or the TCP bridge.
 * <pre>
 * java -cp ganglion-tests.jar io.ganglion.cluster.EventBusClientExample 10.0.0.5:5701 handbook "how are jobs resumed"
 * </pre>
 */
public final class EventBusClientExample {

  private EventBusClientExample() {
  }

  /**
   * Joins the cluster described by {@code cluster} (its name, seeds, heartbeat) as a client on its own ports.
   * Blocking.
   */
  public static Vertx join(ClusterConfig cluster) throws Exception {
    return Vertx.builder()
      .with(new io.vertx.core.VertxOptions().setEventBusOptions(Cluster.eventBus(cluster)))
      .withClusterManager(Cluster.manager(cluster, HazelcastSettings.Role.CLIENT))
      .buildClustered()
      .await(60, TimeUnit.SECONDS);
  }

  /** Searches a knowledge base of {@code tenant}: any serving node answers ({@code ganglion.retrieval.search}). */
  public static Future<JsonObject> search(Vertx vertx, String tenant, String kb, String query) {
    return vertx.eventBus().<JsonObject>request(Addresses.RETRIEVAL_SEARCH,
        new JsonObject().put("tenant", tenant).put("kb", kb).put("query", query).put("k", 5), Deadlines.within(10_000))
      .map(Message::body);
  }

  public static void main(String[] args) throws Exception {
    String seed = args.length > 0 ? args[0] : "127.0.0.1:5701";
    ClusterConfig cluster = ClusterConfig.from(new JsonObject().put("enabled", true).put("members", seed)
      .put("port", 5799).put("eventBusPort", 5798).put("nodeId", "example-client"));
    Vertx vertx = join(cluster);
    try {
      JsonObject hits = search(vertx, "default", args.length > 1 ? args[1] : "handbook",
        args.length > 2 ? args[2] : "replica failover").await(15, TimeUnit.SECONDS);
      System.out.println(hits.encodePrettily());
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
