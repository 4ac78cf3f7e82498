package io.ganglion.cluster;

import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;

class ClusterSmokeIT {
  @Test
  void forms() throws Exception {
    try (LocalCluster c = LocalCluster.start(3, Map.of())) {
      for (NodeProcess n : c.nodes) {
        assertThat(c.get(n, "/ready").statusCode()).as(c.logs()).isEqualTo(200);
      }
      Await.until(Duration.ofSeconds(30), "3 members", () -> c.node(1).log().contains("Members {size:3"));
      System.out.println(c.logs());
    }
  }
}
