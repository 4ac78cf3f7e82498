package io.ganglion.cluster;

import io.ganglion.bus.Deadlines;
import io.ganglion.config.ClusterConfig;
import io.ganglion.config.ClusterTlsConfig;
import io.ganglion.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ganglion.TestCertificates.pair;
import static io.ganglion.TestCertificates.trusting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The clustered event bus over mutual TLS ({@code cluster.tls.*}), on three real clustered Vert.x instances with
 * Hazelcast in this JVM: nodes whose certificates are in the trust bundle exchange messages; a member whose
 * certificate is not there joins Hazelcast (membership has no TLS) but its messages are refused by the TLS handshake.
 */
@DisplayName("TLS on the clustered event bus")
class ClusterTlsIT {

  private static Path dir;
  private static final List<Vertx> NODES = new ArrayList<>();
  private static Vertx a;
  private static Vertx b;
  private static Vertx stranger;
  private static int eventBusPortA;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "cluster-tls-").toAbsolutePath();
    for (String name : new String[] {"a", "b", "stranger"}) {
      pair(dir.resolve(name + "-cert.pem"), dir.resolve(name + "-key.pem"), name);
    }
    Files.writeString(dir.resolve("trust.pem"), Files.readString(dir.resolve("a-cert.pem")) + Files.readString(dir.resolve("b-cert.pem")));
    // the stranger trusts the nodes; the nodes do not trust the stranger
    Files.writeString(dir.resolve("stranger-trust.pem"), Files.readString(dir.resolve("trust.pem"))
      + Files.readString(dir.resolve("stranger-cert.pem")));
    int seed = freePort();
    eventBusPortA = freePort();
    a = node("a", seed, seed, eventBusPortA, "trust.pem");
    b = node("b", seed, freePort(), freePort(), "trust.pem");
    stranger = node("stranger", seed, freePort(), freePort(), "stranger-trust.pem");
    a.eventBus().<JsonObject>consumer("test.tls.echo", msg -> msg.reply(new JsonObject().put("echo", msg.body())))
      .completion().await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    for (Vertx vertx : NODES) {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  private static Vertx node(String name, int seed, int port, int eventBusPort, String trust) throws Exception {
    JsonObject tree = new JsonObject().put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1")
      .put("members", "127.0.0.1:" + seed).put("port", port).put("eventBusPort", eventBusPort).put("nodeId", name)
      .put("tls", new JsonObject().put("enabled", true).put("cert", dir.resolve(name + "-cert.pem").toString())
        .put("key", dir.resolve(name + "-key.pem").toString()).put("trust", dir.resolve(trust).toString())));
    ClusterConfig cluster = ClusterConfig.from(tree.getJsonObject("cluster"));
    Vertx vertx = Vertx.builder()
      .with(new io.vertx.core.VertxOptions().setEventBusOptions(Cluster.eventBus(cluster, ClusterTlsConfig.from(tree))))
      .withClusterManager(Cluster.manager(cluster, HazelcastSettings.Role.SERVER))
      .buildClustered()
      .await(90, TimeUnit.SECONDS);
    NODES.add(vertx);
    return vertx;
  }

  @Test
  @DisplayName("a node trusted by the bundle is answered across the TLS event bus")
  void trustedPeer() throws Exception {
    JsonObject reply = b.eventBus().<JsonObject>request("test.tls.echo", new JsonObject().put("from", "b"),
      Deadlines.within(20_000)).map(Message::body).await(30, TimeUnit.SECONDS);
    assertThat(reply.getJsonObject("echo").getString("from")).isEqualTo("b");
  }

  @Test
  @DisplayName("a member whose certificate the nodes do not trust gets no message through")
  void untrustedPeer() {
    // the stranger sees the consumer (subscriptions travel with Hazelcast), so the failure is the refused connection
    assertThatThrownBy(() -> stranger.eventBus().<JsonObject>request("test.tls.echo", new JsonObject().put("from", "stranger"),
      Deadlines.within(3_000)).await(30, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(io.vertx.core.eventbus.ReplyException.class,
        e -> assertThat(e.failureType()).isNotEqualTo(io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS));
  }

  @Test
  @DisplayName("the event-bus port speaks TLS and presents the node's certificate to a verifying client")
  void portSpeaksTls() throws Exception {
    SSLContext ssl = trusting(dir.resolve("a-cert.pem"));
    try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", eventBusPortA)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      assertThat(((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName())
        .contains("CN=a");
    }
  }

  @Test
  @DisplayName("cluster.tls.enabled without a trust bundle, or without any certificate, fails start naming the key")
  void configuration() {
    assertThatThrownBy(() -> ClusterTlsConfig.from(new JsonObject().put("cluster", new JsonObject()
      .put("tls", new JsonObject().put("enabled", true).put("cert", dir.resolve("a-cert.pem").toString())
        .put("key", dir.resolve("a-key.pem").toString())))))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.tls.trust");
    assertThatThrownBy(() -> ClusterTlsConfig.from(new JsonObject().put("cluster", new JsonObject()
      .put("tls", new JsonObject().put("enabled", true).put("trust", dir.resolve("trust.pem").toString())))))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.tls.cert");
    assertThat(ClusterTlsConfig.from(new JsonObject()).enabled()).isFalse();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
