package io.ganglion.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Configuration layering and validation")
class ConfigLoaderTest {

  @Test
  @DisplayName("the defaults give port 8080 and ./data")
  void defaults() {
    GanglionConfig config = GanglionConfig.from(ConfigLoader.load(List.of(), Map.of()));
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.dataDir()).isEqualTo(Path.of("data").toAbsolutePath().normalize());
    assertThat(config.postgres().embedded()).isTrue();
    assertThat(config.redis().embedded()).isTrue();
  }

  @Test
  @DisplayName("precedence is defaults < file < environment < command line")
  void precedence(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ops.yaml");
    Files.writeString(file, "http:\n  port: 7001\n  requestTimeoutMs: 1234\nbus:\n  timeoutMs: 777\n");
    Map<String, String> env = Map.of("GANGLION_HTTP_PORT", "7002", "GANGLION_BUS_TIMEOUT_MS", "888");

    JsonObject fileOnly = ConfigLoader.load(List.of("--config", file.toString()), Map.of());
    assertThat(GanglionConfig.from(fileOnly).http().port()).isEqualTo(7001);

    GanglionConfig fileAndEnv = GanglionConfig.from(ConfigLoader.load(List.of("--config", file.toString()), env));
    assertThat(fileAndEnv.http().port()).isEqualTo(7002);
    assertThat(fileAndEnv.busTimeoutMs()).isEqualTo(888);
    assertThat(fileAndEnv.http().requestTimeoutMs()).isEqualTo(1234);

    GanglionConfig all = GanglionConfig.from(ConfigLoader.load(List.of("--config=" + file, "--http.port", "7003"), env));
    assertThat(all.http().port()).isEqualTo(7003);
    assertThat(all.busTimeoutMs()).isEqualTo(888);
  }

  @Test
  @DisplayName("GANGLION_CONFIG names the operator file too")
  void configFileFromEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ops.json");
    Files.writeString(file, "{\"http\":{\"port\":7100}}");
    assertThat(GanglionConfig.from(ConfigLoader.load(List.of(), Map.of("GANGLION_CONFIG", file.toString()))).http().port())
      .isEqualTo(7100);
  }

  @Test
  @DisplayName("the documented environment variables map onto their keys")
  void documentedEnvironment() {
    Map<String, String> env = Map.of(
      "GANGLION_HTTP_PORT", "9001",
      "GANGLION_DATA_DIR", "/tmp/ganglion-x",
      "GANGLION_ADMIN_KEY", "an-admin-key-of-enough-length",
      "GANGLION_POSTGRES_URL", "postgresql://u:p@db:5432/g",
      "GANGLION_REDIS_URL", "redis://cache:6379",
      "GANGLION_JWT_SECRET", "0123456789abcdef0123456789abcdef");
    GanglionConfig config = GanglionConfig.from(ConfigLoader.load(List.of(), env));
    assertThat(config.http().port()).isEqualTo(9001);
    assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/ganglion-x"));
    assertThat(config.auth().adminKey()).isEqualTo("an-admin-key-of-enough-length");
    assertThat(config.postgres().url()).isEqualTo("postgresql://u:p@db:5432/g");
    assertThat(config.redis().url()).isEqualTo("redis://cache:6379");
    assertThat(config.auth().jwtSecret()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(ConfigLoader.envName("inference.maxBatch")).isEqualTo("GANGLION_INFERENCE_MAX_BATCH");
  }

  @Test
  @DisplayName("a bad value fails with a message naming the key")
  void badValues() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of("--http.port=eighty"), Map.of()))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith("http.port:");
    assertThatThrownBy(() -> GanglionConfig.from(ConfigLoader.load(List.of(), Map.of("GANGLION_HTTP_PORT", "70000"))))
      .isInstanceOf(ConfigException.class).hasMessageContaining("http.port: must be between 0 and 65535");
    assertThatThrownBy(() -> GanglionConfig.from(ConfigLoader.load(List.of("--postgres.url=mysql://x"), Map.of())))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith("postgres.url:");
    assertThatThrownBy(() -> GanglionConfig.from(ConfigLoader.load(List.of("--jwt.secret=short"), Map.of())))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith("jwt.secret:");
  }

  @Test
  @DisplayName("an unknown command-line key is refused")
  void unknownOption() {
    assertThatThrownBy(() -> ConfigLoader.load(List.of("--http.prot=1"), Map.of()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("unknown option --http.prot");
  }
}
