package io.ganglion.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Ingestion on a node whose disk is (by configuration) near full")
class CapacityIT {

  @Test
  @DisplayName("is refused with 503 capacity and Retry-After before anything is stored; search keeps working")
  void refusedBeforeTheDiskRunsOut() throws Exception {
    Path dataDir = Files.createTempDirectory(Path.of("target"), "capacity-");
    // no file system here has an exabyte free: the real free-space check refuses
    try (TestServer server = TestServer.start(dataDir, Map.of("retrieval.capacity.minFreeDiskMb", "1099511627776"))) {
      assertThat(server.postJson("/v1/kbs", "{\"name\":\"full\"}").statusCode()).isEqualTo(201);
      HttpResponse<String> refused = server.postJson("/v1/kbs/full/documents", new JsonObject().put("documents",
        new JsonArray().add(new JsonObject().put("id", "a").put("text", "Quantum widgets need calibration."))).encode());

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      JsonObject error = TestServer.json(refused).getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("capacity");
      assertThat(error.getString("message")).contains("retrieval.capacity.minFreeDiskMb");
      assertThat(server.get("/v1/kbs/full/documents/a").statusCode()).isEqualTo(404);
      assertThat(server.postJson("/v1/kbs/full/search", "{\"query\":\"quantum widgets\"}").statusCode()).isEqualTo(200);
      assertThat(server.send(server.request("/metrics").GET().build()).body())
        .contains("ganglion_retrieval_capacity_refusals_total").contains("ganglion_retrieval_capacity_disk_free_bytes");
    }
  }
}
