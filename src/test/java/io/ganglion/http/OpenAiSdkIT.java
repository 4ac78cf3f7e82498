package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code src/test/node/openai-sdk/sdk.test.mjs} — the official OpenAI Node SDK, from npm — against a real server.
 * The SDK is installed here ({@code npm ci}, from the committed package-lock.json) when it is not yet.
 */
@DisplayName("The official OpenAI Node SDK against Ganglion")
class OpenAiSdkIT {

  private static final Path DIR = Path.of("src", "test", "node", "openai-sdk");

  @Test
  @DisplayName("completes, streams, embeds, lists models, and raises the SDK's error classes")
  void nodeSdk() throws Exception {
    if (!Files.isDirectory(DIR.resolve("node_modules/openai"))) {
      Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error")
        .directory(DIR.toFile()).redirectErrorStream(true).start();
      String out = new String(install.getInputStream().readAllBytes());
      assertThat(install.waitFor(240, TimeUnit.SECONDS)).isTrue();
      assertThat(install.exitValue()).as("npm ci: " + out).isZero();
    }
    TestServer server = TestServer.shared();
    assertThat(server.postJson("/v1/kbs", "{\"name\":\"sdk-kb\"}").statusCode()).isIn(201, 409);
    assertThat(server.postJson("/v1/kbs/sdk-kb/documents", new JsonObject().put("documents", new JsonArray()
      .add(new JsonObject().put("id", "leave").put("text", "The vacation policy grants 25 days of paid leave per year. "
        + "Employees request leave in the HR portal."))).encode()).statusCode()).isEqualTo(200);
    String limited = new JsonObject(server.postJson("/v1/admin/keys",
      "{\"tenant\":\"default\",\"scopes\":[\"kb:read\",\"chat\"],\"rpm\":1}").body()).getString("key");
    assertThat(server.send(server.request("/v1/models").header("Authorization", "Bearer " + limited).GET().build())
      .statusCode()).isEqualTo(200);

    ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-reporter=spec", "sdk.test.mjs")
      .directory(DIR.toFile()).redirectErrorStream(true);
    node.environment().put("GANGLION_URL", "http://127.0.0.1:" + server.ganglion().port());
    node.environment().put("GANGLION_KEY", server.adminKey());
    node.environment().put("GANGLION_LIMITED_KEY", limited);
    node.environment().put("GANGLION_KB", "sdk-kb");
    File log = Files.createTempFile(Path.of("target"), "openai-sdk", ".log").toFile();
    Process process = node.redirectOutput(log).start();
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(log.toPath());
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("pass 7").contains("fail 0");
  }
}
