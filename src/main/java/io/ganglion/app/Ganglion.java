package io.ganglion.app;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.DiskSpace;
import io.ganglion.bus.RequestIds;
import io.ganglion.cluster.Cluster;
import io.ganglion.cluster.ClusterUnavailableException;
import io.ganglion.cluster.HazelcastSettings;
import io.ganglion.cluster.Member;
import io.ganglion.cluster.Membership;
import io.ganglion.config.ClusterConfig;
import io.ganglion.config.GanglionConfig;
import io.ganglion.config.PostgresConfig;
import io.ganglion.config.RedisConfig;
import io.ganglion.config.TracingConfig;
import io.vertx.core.json.JsonObject;
import io.ganglion.http.HttpVerticle;
import io.ganglion.http.auth.AdminKeyBootstrap;
import io.ganglion.store.ApiKeyRepository;
import io.ganglion.store.EmbeddedPostgresServer;
import io.ganglion.store.EmbeddedRedisServer;
import io.ganglion.store.Migrations;
import io.ganglion.store.StoreUnavailableException;
import io.ganglion.store.Stores;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.redis.client.Command;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A running server: its stores (embedded or external), its Vert.x instance and the verticles MainVerticle deployed.
 * {@link #start} blocks the calling thread until the server listens (or fails with a message that says why);
 * {@link #close} shuts down gracefully. The launcher and the integration tests use the same code path.
 */
public final class Ganglion implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Ganglion.class);
  private static final String METRICS_REGISTRY_PREFIX = "ganglion-";
  /** How long joining the cluster may take before start fails. */
  private static final long CLUSTER_JOIN_TIMEOUT_S = 120;
  private static final int REDIS_START_ATTEMPTS = 3;


  private final GanglionConfig config;
  private final Vertx vertx;
  private final MainVerticle main;
  private final String mainId;
  private final List<AutoCloseable> embedded;
  private final int port;
  private final Optional<String> generatedAdminKey;

  private Ganglion(GanglionConfig config, Vertx vertx, MainVerticle main, String mainId, List<AutoCloseable> embedded,
                   int port, Optional<String> generatedAdminKey) {
    this.config = config;
    this.vertx = vertx;
    this.main = main;
    this.mainId = mainId;
    this.embedded = embedded;
    this.port = port;
    this.generatedAdminKey = generatedAdminKey;
  }

  /**
   * Locks the data directory, starts stores (recovering embedded ones a crashed run left behind), migrates the
   * schema, ensures an admin key and deploys the verticles. Blocking.
   *
   * @throws StoreUnavailableException when PostgreSQL or Redis cannot be started or reached
   * @throws DataDirectoryLock.DataDirectoryInUseException when another server holds the data directory
   */
  public static Ganglion start(GanglionConfig config) throws Exception {
    RequestIds.init();
    Files.createDirectories(config.dataDir());
    DataDirectoryLock lock = DataDirectoryLock.acquire(config.dataDir());
    List<AutoCloseable> embedded = new ArrayList<>();
    embedded.add(lock); // closed last, once the stores have stopped
    Vertx vertx = null;
    try {
      // first in, last out: spans still pending when Vert.x has closed are exported at the very end
      Tracing tracing = Tracing.start(TracingConfig.from(config.tree().getJsonObject("tracing", new JsonObject())));
      embedded.add(tracing);
      PostgresConfig postgres = config.postgres();
      if (postgres.embedded()) {
        EmbeddedPostgresServer server = embeddedStart("PostgreSQL", () -> EmbeddedPostgresServer.start(config.dataDir()));
        embedded.add(server);
        postgres = postgres.withUrl(server.url());
      }
      RedisConfig redis = config.redis();
      if (redis.embedded()) {
        EmbeddedRedisServer server = embeddedStart("Redis", () -> EmbeddedRedisServer.start(config.dataDir()));
        embedded.add(server);
        redis = redis.withUrl(server.url());
      }
      GanglionConfig resolved = config.withStores(postgres, redis);
      int migrations = Migrations.migrate(postgres.url(), postgres.connectTimeoutMs());
      LOG.info("schema up to date ({} migrations applied)", migrations);

      vertx = newVertx(config.cluster(), io.ganglion.config.ClusterTlsConfig.from(config.tree()), tracing);
      tracing.publish(vertx);
      RequestIds.propagate(vertx.eventBus());
      freeSpaceGauge(vertx, config.dataDir());
      checkRedis(vertx, resolved);
      Optional<String> adminKey = bootstrapAdminKey(vertx, resolved);

      // ownership counts this node from now on: its retrieval loads the shards it owns as it starts
      Membership membership = Cluster.membership(vertx);
      membership.announce(Member.State.UP).await(30, TimeUnit.SECONDS);
      MainVerticle main = new MainVerticle();
      String mainId = vertx.deployVerticle(main, new DeploymentOptions().setConfig(resolved.tree())).await();
      int port = (Integer) vertx.sharedData().getLocalMap(HttpVerticle.PORT_MAP).get("port");
      membership.httpPort(port).await(30, TimeUnit.SECONDS);
      return new Ganglion(resolved, vertx, main, mainId, embedded, port, adminKey);
    } catch (Exception | Error e) {
      if (vertx != null) {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
      closeAll(embedded);
      throw e;
    }
  }

  public int port() {
    return port;
  }

  public GanglionConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The admin key generated by this start (first start without {@code admin.key}), to be shown once. */
  public Optional<String> generatedAdminKey() {
    return generatedAdminKey;
  }

  /**
   * Stops gracefully: HTTP stops accepting and drains in-flight requests (within {@code http.shutdownGraceMs}), the
   * other verticles stop newest first, then Vert.x closes and the embedded stores shut down.
   */
  @Override
  public void close() {
    drain();
    long bound = config.http().shutdownGraceMs() + 20_000;
    try {
      main.undeployInReverse().eventually(() -> vertx.undeploy(mainId)).await(bound, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("verticles did not stop cleanly: {}", e.toString());
    }
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    closeAll(embedded);
  }

  /**
   * In a cluster, hands this node's shards over before it stops: it announces it is leaving (ownership no longer
   * counts it, so other members load its shards), keeps serving while they do, and returns once they are active or
   * after {@code cluster.drainTimeoutMs}; its running ingestion jobs are released to the others.
   */
  private void drain() {
    if (!config.cluster().enabled()) {
      return;
    }
    try {
      Cluster.membership(vertx).announce(Member.State.LEAVING).await(5, TimeUnit.SECONDS);
      LOG.info("leaving the cluster: handing shards over (at most {} ms)", config.cluster().drainTimeoutMs());
      vertx.eventBus().request(Addresses.RETRIEVAL_DRAIN, new io.vertx.core.json.JsonObject(),
          io.ganglion.bus.Deadlines.localWithin(config.cluster().drainTimeoutMs() + 5_000))
        .await(config.cluster().drainTimeoutMs() + 10_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("handing shards over did not finish: {}", e.toString());
    }
  }

  private static Vertx newVertx(ClusterConfig cluster, io.ganglion.config.ClusterTlsConfig clusterTls, Tracing tracing) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        // latency as Prometheus histogram buckets: p50/p95/p99 via histogram_quantile(), aggregatable across nodes
        if (id.getName().startsWith("vertx.http.server.response.time") || id.getName().startsWith("ganglion.")
          || id.getName().startsWith("gen_ai.")) {
          return DistributionStatisticConfig.builder()
            .percentilesHistogram(true)
            .build()
            .merge(config);
        }
        return config;
      }
    });
    // Vert.x Web reports every matched route of a request joined by '>' (/v1/>/v1/>/v1/kbs/:kb/ask>/v1/kbs/:kb/ask,
    // the /v1/* guards first): the route template that answered is the last one
    registry.config().meterFilter(MeterFilter.replaceTagValues("route", route -> route.substring(route.lastIndexOf('>') + 1)));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
      .setEnabled(true)
      // one registry per server, so servers sharing a JVM (tests) never scrape or stop each other's
      .setRegistryName(METRICS_REGISTRY_PREFIX + System.identityHashCode(registry))
      .setJvmMetricsEnabled(false)
      // HTTP latency by route template (/v1/kbs/:kb/ask), not by raw path
      .addLabels(io.vertx.micrometer.Label.HTTP_ROUTE)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    VertxOptions options = new VertxOptions().setMetricsOptions(metrics);
    Vertx vertx;
    if (cluster.enabled()) {
      HazelcastClusterManager manager = Cluster.manager(cluster, HazelcastSettings.Role.SERVER);
      io.vertx.core.VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry))
        .withClusterManager(manager);
      tracing.install(options, builder);
      try {
        vertx = builder.with(options.setEventBusOptions(Cluster.eventBus(cluster, clusterTls))).buildClustered()
          .await(CLUSTER_JOIN_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new ClusterUnavailableException("cannot join cluster '" + cluster.name() + "' as " + cluster.nodeId()
          + " on " + cluster.advertisedHost() + ":" + cluster.port() + " (" + e.getMessage() + ")", e);
      }
      Membership membership = Cluster.join(vertx, manager, cluster);
      LOG.info("joined cluster '{}' as {} ({} serving members, quorum {})", cluster.name(), cluster.nodeId(),
        membership.members().size(), membership.quorate() ? "met" : "not met");
    } else {
      io.vertx.core.VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
      tracing.install(options, builder);
      vertx = builder.with(options).build();
      Cluster.alone(vertx, cluster);
    }
    vertx.sharedData().getLocalMap(io.ganglion.bus.MeterRegistries.MAP).put("registry", metrics.getRegistryName());
    return vertx;
  }

  /**
   * {@code ganglion_disk_free_bytes{path}}: usable space where the embedded stores, uploads and snapshots live, one
   * series per file system ({@link DiskSpace}: the data directory's, and any volume mounted on one of its
   * subdirectories), so an alert fires before writes start failing (they fail with 503 when they do).
   */
  private static void freeSpaceGauge(Vertx vertx, java.nio.file.Path dataDir) {
    DiskSpace disks = DiskSpace.of(dataDir);
    for (java.nio.file.Path path : disks.paths()) {
      io.micrometer.core.instrument.Gauge.builder("ganglion.disk.free", disks, d -> d.usable(path)).strongReference(true)
        .baseUnit("bytes").tag("path", path.equals(dataDir.toAbsolutePath()) ? dataDir.toString() : path.toString())
        .description("usable space of a file system the server writes to under its data directory")
        .register(io.ganglion.bus.MeterRegistries.of(vertx));
    }
  }

  private interface EmbeddedStart<T> {
    T start() throws java.io.IOException;
  }

  /** An embedded store that cannot start is a store that cannot be reached (exit code 3), with the reason. */
  private static <T> T embeddedStart(String name, EmbeddedStart<T> start) {
    try {
      return start.start();
    } catch (java.io.IOException | IllegalStateException e) {
      throw new StoreUnavailableException("embedded " + name + " did not start: " + e.getMessage(), e);
    }
  }

  /**
   * One PING, tried {@value #REDIS_START_ATTEMPTS} times of {@code redis.connectTimeoutMs} each: a Redis that was just
   * (re)started beside a loaded machine may miss one (a restart after a crash failed on a single PING at load 21).
   */
  private static void checkRedis(Vertx vertx, GanglionConfig config) {
    Redis redis = Stores.redis(vertx, config.redis());
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          redis.send(Request.cmd(Command.PING)).await(config.redis().connectTimeoutMs(), TimeUnit.MILLISECONDS);
          return;
        } catch (Exception e) {
          if (attempt == REDIS_START_ATTEMPTS) {
            throw new StoreUnavailableException("cannot reach Redis at " + config.redis().url() + " after "
              + attempt + " attempts of " + config.redis().connectTimeoutMs() + " ms (" + e + ")", e);
          }
          LOG.warn("Redis at {} did not answer PING (attempt {} of {}): {}", config.redis().url(), attempt,
            REDIS_START_ATTEMPTS, e.toString());
        }
      }
    } finally {
      redis.close();
    }
  }

  private static Optional<String> bootstrapAdminKey(Vertx vertx, GanglionConfig config) throws Exception {
    Pool pool = Stores.postgres(vertx, config.postgres());
    try {
      return AdminKeyBootstrap.ensure(new ApiKeyRepository(pool), config.auth().adminKey(), config.dataDir())
        .await(30, TimeUnit.SECONDS);
    } finally {
      pool.close();
    }
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    List<AutoCloseable> reversed = new ArrayList<>(closeables);
    Collections.reverse(reversed);
    for (AutoCloseable c : reversed) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("failed to stop {}: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
  }

}
