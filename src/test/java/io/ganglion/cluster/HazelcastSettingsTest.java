package io.ganglion.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import io.ganglion.config.ClusterConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The Hazelcast member configuration built from cluster.*")
class HazelcastSettingsTest {

  private static ClusterConfig cluster(JsonObject json) {
    return ClusterConfig.from(json.put("enabled", true));
  }

  @Test
  @DisplayName("joins by TCP-IP to the configured seeds on an exact port, multicast off, bound to cluster.host")
  void tcpIp() {
    Config config = HazelcastSettings.config(cluster(new JsonObject().put("host", "127.0.0.1").put("port", 5801)
      .put("members", "127.0.0.1:5801,127.0.0.1:5802").put("nodeId", "node-1").put("name", "test-cluster")),
      HazelcastSettings.Role.SERVER);

    assertThat(config.getClusterName()).isEqualTo("test-cluster");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(config.getNetworkConfig().getPublicAddress()).isEqualTo("127.0.0.1:5801");
    assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isTrue();
    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
      .containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
    assertThat(config.getProperty(HazelcastSettings.LOCAL_ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(config.getProperty(ClusterProperty.SOCKET_BIND_ANY.getName())).isEqualTo("false");
    assertThat(config.getMemberAttributeConfig().getAttribute(HazelcastSettings.NODE_ID)).isEqualTo("node-1");
    assertThat(config.getMemberAttributeConfig().getAttribute(HazelcastSettings.ROLE)).isEqualTo("server");
    assertThat(config.isLiteMember()).isFalse();
  }

  @Test
  @DisplayName("detects a killed member within 15 s by default (heartbeat 2 s, removed after 10 s of silence), faster when set")
  void failureDetection() {
    Config defaults = HazelcastSettings.config(cluster(new JsonObject()), HazelcastSettings.Role.SERVER);
    assertThat(defaults.getProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName())).isEqualTo("2");
    assertThat(defaults.getProperty(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName())).isEqualTo("10");

    Config fast = HazelcastSettings.config(cluster(new JsonObject().put("heartbeatSeconds", 1)
      .put("failureTimeoutSeconds", 4)), HazelcastSettings.Role.SERVER);
    assertThat(fast.getProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName())).isEqualTo("1");
    assertThat(fast.getProperty(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName())).isEqualTo("4");
    assertThat(fast.getProperty(ClusterProperty.PHONE_HOME_ENABLED.getName())).isEqualTo("false");
  }

  @Test
  @DisplayName("discovers members through a Kubernetes headless service's DNS records instead of seeds")
  void kubernetes() {
    Config config = HazelcastSettings.config(cluster(new JsonObject().put("kubernetes",
      new JsonObject().put("service", "ganglion-cluster.default.svc.cluster.local"))), HazelcastSettings.Role.SERVER);

    assertThat(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled()).isTrue();
    assertThat(config.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-dns"))
      .isEqualTo("ganglion-cluster.default.svc.cluster.local");
    assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("a client joins as a lite member marked client, and the Vert.x structures keep a backup")
  void clientAndVertxStructures() {
    Config config = HazelcastSettings.config(cluster(new JsonObject()), HazelcastSettings.Role.CLIENT);

    assertThat(config.isLiteMember()).isTrue();
    assertThat(config.getMemberAttributeConfig().getAttribute(HazelcastSettings.ROLE)).isEqualTo("client");
    MultiMapConfig subs = config.getMultiMapConfig("__vertx.subs");
    assertThat(subs.getBackupCount()).isEqualTo(1);
    assertThat(subs.getValueCollectionType()).isEqualTo(MultiMapConfig.ValueCollectionType.SET);
    assertThat(config.getMapConfig("__vertx.nodeInfo").getBackupCount()).isEqualTo(1);
  }
}
