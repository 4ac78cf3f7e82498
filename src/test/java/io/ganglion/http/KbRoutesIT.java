package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static io.ganglion.http.HttpEdgeIT.assertError;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The knowledge-base registry over HTTP")
class KbRoutesIT {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
  }

  @Test
  @DisplayName("a KB can be created, listed, read and deleted")
  void lifecycle() {
    HttpResponse<String> created = server.postJson("/v1/kbs", "{\"name\":\"lifecycle-kb\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(TestServer.json(created).getString("name")).isEqualTo("lifecycle-kb");

    assertThat(TestServer.json(server.get("/v1/kbs")).getJsonArray("kbs").stream()
      .map(kb -> ((JsonObject) kb).getString("name"))).contains("lifecycle-kb");
    HttpResponse<String> got = server.get("/v1/kbs/lifecycle-kb");
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(got).getString("createdAt")).isNotBlank();

    assertThat(server.delete("/v1/kbs/lifecycle-kb").statusCode()).isEqualTo(204);
    assertThat(server.get("/v1/kbs/lifecycle-kb").statusCode()).isEqualTo(404);
    assertThat(server.delete("/v1/kbs/lifecycle-kb").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("creating a KB twice is 409 conflict")
  void duplicate() {
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"twice\"}").statusCode()).isEqualTo(201);
    HttpResponse<String> again = server.postJson("/v1/kbs", "{\"name\":\"twice\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertError(again, "conflict");
  }

  @Test
  @DisplayName("invalid names are 400: upper case, leading dash, too long, path characters, missing")
  void invalidNames() {
    for (String body : new String[]{"{\"name\":\"Docs\"}", "{\"name\":\"-docs\"}", "{\"name\":\"" + "a".repeat(64) + "\"}",
      "{\"name\":\"../etc\"}", "{\"name\":\"\"}", "{}", "{\"name\":42}"}) {
      HttpResponse<String> response = server.postJson("/v1/kbs", body);
      assertThat(response.statusCode()).as(body).isEqualTo(400);
      assertError(response, "invalid_request");
    }
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"" + "a".repeat(63) + "\"}").statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("reading a KB that does not exist is 404 with the error contract")
  void missing() {
    HttpResponse<String> response = server.get("/v1/kbs/never-created");
    assertThat(response.statusCode()).isEqualTo(404);
    assertError(response, "not_found");
  }
}
