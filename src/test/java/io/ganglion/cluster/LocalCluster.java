package io.ganglion.cluster;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A cluster of real Ganglion processes on this machine against one Debian PostgreSQL and one Redis: TCP-IP join on
 * 127.0.0.1, a cluster name of its own (so parallel test runs never merge), a fast heartbeat (1 s, a silent member is
 * removed after 4 s), a short re-replication delay, one inference thread per node. One per test class: it costs
 * a JVM start per node.
 */
final class LocalCluster implements AutoCloseable {

  /** The admin key every node is started with. */
  final String adminKey = "cluster-test-admin-key-" + UUID.randomUUID();
  final DebianStores stores;
  final List<NodeProcess> nodes = new ArrayList<>();
  final Path dir;
  /** Data directories mounted as small file systems of their own, unmounted at close. */
  private final List<Path> mounts = new ArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();

  private LocalCluster(Path dir, DebianStores stores) {
    this.dir = dir;
    this.stores = stores;
  }

  /** Starts stores and {@code size} nodes (in parallel) with the test defaults overridden by {@code options}. */
  static LocalCluster start(int size, Map<String, String> options) throws Exception {
    return start(size, options, Map.of());
  }

  /**
   * As {@link #start(int, Map)}; the nodes numbered in {@code smallDisksMb} get a data directory of their own, a
   * tmpfs of that many MB (mounted here, as root, like the Debian stores are run), so a test can fill it for real.
   */
  static LocalCluster start(int size, Map<String, String> options, Map<Integer, Integer> smallDisksMb)
    throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "cluster-it-");
    // PostgreSQL runs as another user (as root: postgres), who must be able to reach its directory below
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    LocalCluster cluster = new LocalCluster(dir, DebianStores.start(dir.resolve("stores")));
    try {
      for (int i = 1; i <= size; i++) {
        cluster.nodes.add(new NodeProcess("node-" + i, dir));
      }
      for (var small : smallDisksMb.entrySet()) {
        Path data = cluster.node(small.getKey()).dataDir;
        Files.createDirectories(data);
        DebianStores.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + small.getValue() + "m,mode=0755", "tmpfs",
          data.toString()));
        cluster.mounts.add(data);
      }
      String members = cluster.nodes.stream().map(n -> "127.0.0.1:" + n.hazelcastPort).collect(Collectors.joining(","));
      List<String> common = new ArrayList<>(List.of(
        "--cluster.enabled=true", "--cluster.name=it-" + UUID.randomUUID().toString().substring(0, 8),
        "--cluster.host=127.0.0.1", "--cluster.members=" + members,
        "--cluster.heartbeatSeconds=1", "--cluster.failureTimeoutSeconds=4", "--cluster.rebalanceDelayMs=3000",
        "--postgres.url=" + cluster.stores.postgresUrl(),
        "--redis.url=" + cluster.stores.redisUrl(), "--admin.key=" + cluster.adminKey, "--http.instances=1",
        "--inference.threads=1", "--inference.workers=1", "--retrieval.workers=2", "--postgres.poolSize=4",
        "--redis.poolSize=4"));
      options.forEach((k, v) -> common.add("--" + k + "=" + v));
      for (NodeProcess node : cluster.nodes) {
        node.launch(common);
      }
      for (NodeProcess node : cluster.nodes) {
        node.awaitListening(Duration.ofMinutes(3));
      }
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  NodeProcess node(int i) {
    return nodes.get(i - 1);
  }

  HttpResponse<String> get(NodeProcess node, String path) {
    return send(authed(node, path).GET().build());
  }

  HttpResponse<String> postJson(NodeProcess node, String path, Object json) {
    return send(authed(node, path).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(json.toString())).build());
  }

  HttpResponse<String> delete(NodeProcess node, String path) {
    return send(authed(node, path).DELETE().build());
  }

  CompletableFuture<HttpResponse<String>> postJsonAsync(NodeProcess node, String path, Object json) {
    return client.sendAsync(authed(node, path).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(json.toString())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends {@code request} and adds each line of the (streamed) response body to {@code lines} as it arrives. */
  CompletableFuture<HttpResponse<Void>> sendAsyncLines(HttpRequest request, List<String> lines) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(new java.util.concurrent.Flow
      .Subscriber<String>() {
      @Override
      public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(String line) {
        lines.add(line);
      }

      @Override
      public void onError(Throwable throwable) {
      }

      @Override
      public void onComplete() {
      }
    }));
  }

  HttpRequest.Builder authed(NodeProcess node, String path) {
    return HttpRequest.newBuilder(URI.create(node.base() + path)).timeout(Duration.ofSeconds(60))
      .header("Authorization", "Bearer " + adminKey);
  }

  HttpResponse<String> send(HttpRequest request) {
    return io.ganglion.TestServer.send(client, request);
  }

  static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  /** Every node's log tail, for a failure message. */
  String logs() {
    StringBuilder out = new StringBuilder();
    for (NodeProcess n : nodes) {
      out.append("\n----- ").append(n.nodeId).append(" -----\n").append(n.tail(40));
    }
    return out.toString();
  }

  @Override
  public void close() {
    nodes.parallelStream().forEach(NodeProcess::forceStop);
    for (Path mount : mounts) {
      try {
        DebianStores.run(List.of("umount", "-l", mount.toString()));
      } catch (Exception e) {
        System.err.println("could not unmount " + mount + ": " + e);
      }
    }
    stores.close();
  }
}
