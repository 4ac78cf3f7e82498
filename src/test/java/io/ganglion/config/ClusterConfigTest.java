package io.ganglion.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The cluster section")
class ClusterConfigTest {

  @Test
  @DisplayName("is off by default, with two copies per shard, quorum one, and detection well within 15 s")
  void defaults() {
    ClusterConfig c = ClusterConfig.from(ConfigLoader.defaults().getJsonObject("cluster"));

    assertThat(c.enabled()).isFalse();
    assertThat(c.replication()).isEqualTo(2);
    assertThat(c.port()).isEqualTo(5701);
    assertThat(c.minMembers()).isEqualTo(1);
    assertThat(c.heartbeatSeconds() + c.failureTimeoutSeconds()).isLessThanOrEqualTo(15);
    assertThat(c.nodeId()).matches(ClusterConfig.NODE_ID);
    assertThat(c).isEqualTo(ClusterConfig.from(null).withNodeId(c.nodeId()));
  }

  @Test
  @DisplayName("reads members as a comma-separated list from the environment")
  void membersFromEnvironment() {
    JsonObject tree = ConfigLoader.load(List.of(), Map.of("GANGLION_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5701",
      "GANGLION_CLUSTER_NODE_ID", "node-7", "GANGLION_CLUSTER_KUBERNETES_SERVICE", ""));
    ClusterConfig c = ClusterConfig.from(tree.getJsonObject("cluster"));

    assertThat(c.members()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(c.nodeId()).isEqualTo("node-7");
  }

  @Test
  @DisplayName("names the key of a bad value")
  void badValues() {
    assertThatThrownBy(() -> ClusterConfig.from(new JsonObject().put("replication", 0)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.replication");
    assertThatThrownBy(() -> ClusterConfig.from(new JsonObject().put("nodeId", "no spaces")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.nodeId");
    assertThatThrownBy(() -> ClusterConfig.from(new JsonObject().put("members", "a:1,b c")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.members");
    assertThatThrownBy(() -> ClusterConfig.from(new JsonObject().put("heartbeatSeconds", 5).put("failureTimeoutSeconds", 5)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.failureTimeoutSeconds");
    assertThatThrownBy(() -> ClusterConfig.from(new JsonObject().put("invalidationWaitMs", 900)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.invalidationWaitMs");
    assertThatThrownBy(() -> ClusterConfig.from(new JsonObject().put("enabled", true).put("members", "a:1")
      .put("kubernetes", new JsonObject().put("service", "svc"))))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.members");
  }

  @Test
  @DisplayName("refuses a cluster on embedded stores, naming the missing URL")
  void clusterNeedsExternalStores() {
    JsonObject tree = ConfigLoader.load(List.of("--cluster.enabled=true"), Map.of());
    assertThatThrownBy(() -> GanglionConfig.from(tree))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.enabled").hasMessageContaining("postgres.url");

    JsonObject onlyPostgres = ConfigLoader.load(List.of("--cluster.enabled=true",
      "--postgres.url=postgresql://u@localhost:5432/db"), Map.of());
    assertThatThrownBy(() -> GanglionConfig.from(onlyPostgres))
      .isInstanceOf(ConfigException.class).hasMessageContaining("redis.url");

    assertThat(GanglionConfig.from(ConfigLoader.load(List.of("--cluster.enabled=true",
      "--postgres.url=postgresql://u@localhost:5432/db", "--redis.url=redis://localhost:6379"), Map.of()))
      .cluster().enabled()).isTrue();
  }

  @Test
  @DisplayName("derives a node id from a host name when none is set")
  void nodeIdFromHostName() {
    assertThat(ClusterConfig.sanitised("Ganglion-0.ganglion.default.svc.cluster.local"))
      .isEqualTo("ganglion-0.ganglion.default.svc.cluster.local");
    assertThat(ClusterConfig.sanitised("__weird host__")).isEqualTo("weird-host__");
    assertThat(ClusterConfig.sanitised("x".repeat(80))).hasSize(63);
  }
}
