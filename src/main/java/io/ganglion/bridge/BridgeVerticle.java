package io.ganglion.bridge;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.cluster.Cluster;
import io.ganglion.config.GanglionConfig;
import io.ganglion.config.TlsConfig;
import io.ganglion.http.CertificateFiles;
import io.ganglion.http.auth.Credentials;
import io.ganglion.http.auth.JwtVerifier;
import io.ganglion.http.limits.RateLimiter;
import io.ganglion.http.limits.RateLimits;
import io.ganglion.store.ApiKeyRepository;
import io.ganglion.store.JobRepository;
import io.ganglion.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The TCP event-bus bridge for non-JVM clients ({@code bridge.enabled}): Vert.x's {@link TcpEventBusBridge} does the
 * bridging (frames to sends and replies, registrations), behind a gate of our own that every client connection goes
 * through ({@link BridgeConnection}, {@link BridgeGate}): frame size, one credential per frame, scopes, tenancy, rate
 * limits and the addresses a client may use. The bridge itself listens on loopback only; clients reach the gate on
 * {@code bridge.host}:{@code bridge.port}.
 * <p>
 * Wire format (the bridge's): a 4-byte big-endian length, then a UTF-8 JSON object
 * {@code {"type":"send"|"register"|"unregister"|"ping","address","replyAddress"?,"headers":{"authorization":"Bearer
 * ..."},"body"}}. Replies come back as {@code {"type":"message","address":<replyAddress>,"body"}}, failures as
 * {@code {"type":"err","address"?,"failureCode","message"}}. See README for an example client.
 */
public final class BridgeVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);
  /** Local-map entry where the bound bridge port is published (the configured port may be 0). */
  public static final String PORT_MAP = "ganglion.bridge";

  private Pool postgres;
  private Redis redis;
  private TcpEventBusBridge bridge;
  private NetServer gateServer;
  private NetClient toBridge;
  private long reloadTimer = -1;

  @Override
  public Future<?> start() {
    GanglionConfig global = GanglionConfig.from(config());
    BridgeConfig config = BridgeConfig.from(config().getJsonObject("bridge"));
    postgres = Stores.postgres(vertx, global.postgres());
    redis = Stores.redis(vertx, global.redis());
    Credentials credentials = new Credentials(new ApiKeyRepository(postgres), new JwtVerifier(vertx, global.auth()),
      Duration.ofSeconds(global.http().keyCacheSeconds()), Duration.ofSeconds(global.http().keyStaleSeconds()));
    RateLimits limits = new RateLimits(new RateLimiter(redis, 250), global.limits(),
      () -> Cluster.membership(vertx).members().size(), MeterRegistries.of(vertx));
    BridgeGate gate = new BridgeGate(credentials, limits, new JobRepository(postgres), global.busTimeoutMs());
    Map<String, Integer> open = new ConcurrentHashMap<>();
    BridgeConnection.Slots slots = new BridgeConnection.Slots() {
      @Override
      public boolean acquire(String subject) {
        if (open.merge(subject, 1, Integer::sum) <= config.maxConnectionsPerKey()) {
          return true;
        }
        release(subject);
        return false;
      }

      @Override
      public void release(String subject) {
        open.computeIfPresent(subject, (k, n) -> n <= 1 ? null : n - 1);
      }
    };
    int bridgePort;
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      bridgePort = free.getLocalPort();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    bridge = TcpEventBusBridge.create(vertx, permitted(), new NetServerOptions());
    toBridge = vertx.createNetClient();
    TlsConfig tls = TlsConfig.from(config().getJsonObject("tls"));
    CertificateFiles certificates = tls.enabled() ? new CertificateFiles(tls, MeterRegistries.of(vertx)) : null;
    gateServer = vertx.createNetServer(gateOptions(config, certificates)).connectHandler(client -> {
      client.pause();
      toBridge.connect(bridgePort, "127.0.0.1")
        .onSuccess(inner -> new BridgeConnection(client, inner, gate, slots, config.maxFrameBytes()).start())
        .onFailure(e -> {
          LOG.warn("bridge unreachable for a client: {}", e.toString());
          client.close();
        });
    });
    return vertx.eventBus().<JsonObject>consumer(Addresses.HTTP_KEY_REVOKED,
        msg -> credentials.forget(msg.body().getString("keyId", ""))).completion()
      .compose(v -> bridge.listen(bridgePort, "127.0.0.1"))
      .compose(b -> gateServer.listen(config.port(), config.host()))
      .onSuccess(server -> {
        vertx.sharedData().getLocalMap(PORT_MAP).put("port", server.actualPort());
        LOG.info("event-bus bridge listening on {}:{}{}", config.host(), server.actualPort(),
          certificates != null ? " (TLS)" : "");
        if (certificates != null) {
          reloadTimer = vertx.setPeriodic(tls.reloadCheckMs(),
            t -> certificates.reloadIfChanged(options -> gateServer.updateSSLOptions(options, true)));
        }
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(reloadTimer);
    return Future.join(gateServer == null ? Future.succeededFuture() : gateServer.close(),
        bridge == null ? Future.succeededFuture() : bridge.close())
      .eventually(() -> Future.join(toBridge == null ? Future.succeededFuture() : toBridge.close(), postgres.close(),
        redis.close()));
  }

  /**
   * The options of the client-facing listener: TLS with the HTTP server's PEM pair when {@code tls.cert}/{@code tls.key}
   * are set ({@code certificates} non-null), which the bridge's own loopback listener does not need.
   */
  static NetServerOptions gateOptions(BridgeConfig config, CertificateFiles certificates) {
    NetServerOptions options = new NetServerOptions().setHost(config.host()).setPort(config.port()).setTcpNoDelay(true);
    if (certificates != null) {
      options.setSsl(true).setKeyCertOptions(certificates.load());
    }
    return options;
  }

  /** The bridge's own allow-list, a second line behind the gate: public addresses in, streams and jobs out. */
  static BridgeOptions permitted() {
    BridgeOptions options = new BridgeOptions();
    BridgeGate.SCOPES.keySet().forEach(a -> options.addInboundPermitted(new PermittedOptions().setAddress(a)));
    options.addInboundPermitted(new PermittedOptions().setAddressRegex(BridgeGate.STREAM.pattern()
      + Pattern.quote(io.ganglion.bus.AskStreams.CANCEL_SUFFIX)));
    options.addOutboundPermitted(new PermittedOptions().setAddressRegex(BridgeGate.STREAM.pattern()));
    options.addOutboundPermitted(new PermittedOptions().setAddressRegex(BridgeGate.JOB.pattern()));
    return options;
  }
}
