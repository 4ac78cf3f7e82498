package io.ganglion.deploy;

import io.ganglion.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine or cluster runs here, so the deployment files are checked statically: they parse, and their
 * ports, probes, users, image names and environment variables agree with the code.
 */
@DisplayName("docker/ and k8s/ agree with the code")
class DeploymentFilesTest {

  static final int DEFAULT_PORT = ConfigLoader.defaults().getJsonObject("http").getInteger("port");

  @Test
  @DisplayName("every YAML file under docker/ and k8s/ parses")
  void yamlParses() throws IOException {
    try (Stream<Path> files = Stream.concat(Files.list(Path.of("docker")), Files.list(Path.of("k8s")))) {
      List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).toList();
      assertThat(yaml).hasSizeGreaterThanOrEqualTo(6);
      for (Path file : yaml) {
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
          assertThat(doc).as(file.toString()).isInstanceOf(Map.class);
        }
      }
    }
  }

  @Test
  @DisplayName("the Dockerfile builds with the wrapper, exposes the default port and runs as UID 1000")
  void dockerfile() throws IOException {
    String dockerfile = Files.readString(Path.of("docker/Dockerfile"));
    assertThat(dockerfile).contains("./mvnw").contains("EXPOSE " + DEFAULT_PORT).contains("USER 1000:1000")
      .contains("GANGLION_DATA_DIR=/data").contains("target/ganglion.jar");
  }

  @Test
  @DisplayName("the Deployment probes /health and /ready on the container port, read-only root, non-root user")
  void deployment() throws IOException {
    JsonObject deployment = load("k8s/deployment.yaml");
    JsonObject pod = deployment.getJsonObject("spec").getJsonObject("template").getJsonObject("spec");
    JsonObject container = pod.getJsonArray("containers").getJsonObject(0);
    assertThat(container.getJsonArray("ports").getJsonObject(0).getInteger("containerPort")).isEqualTo(DEFAULT_PORT);
    assertThat(container.getJsonObject("livenessProbe").getJsonObject("httpGet").getString("path")).isEqualTo("/health");
    assertThat(container.getJsonObject("readinessProbe").getJsonObject("httpGet").getString("path")).isEqualTo("/ready");
    assertThat(container.getJsonObject("securityContext").getBoolean("readOnlyRootFilesystem")).isTrue();
    assertThat(pod.getJsonObject("securityContext").getInteger("runAsUser")).isEqualTo(1000);
    assertThat(container.getString("image")).isEqualTo(load("docker/compose.yaml")
      .getJsonObject("services").getJsonObject("ganglion").getString("image"));
    assertThat(container.getJsonObject("resources").getJsonObject("limits").containsKey("memory")).isTrue();
  }

  @Test
  @DisplayName("the ConfigMap, Secret and compose environment only set variables the server reads")
  void environmentVariablesExist() throws IOException {
    Set<String> known = new HashSet<>();
    collectEnvNames(ConfigLoader.defaults(), "", known);
    Set<String> used = new HashSet<>();
    used.addAll(load("k8s/configmap.yaml").getJsonObject("data").fieldNames());
    used.addAll(load("k8s/secret.template.yaml").getJsonObject("stringData").fieldNames());
    used.addAll(load("docker/compose.yaml").getJsonObject("services").getJsonObject("ganglion")
      .getJsonObject("environment").fieldNames());
    assertThat(used).isNotEmpty();
    assertThat(known).containsAll(used);
  }

  @Test
  @DisplayName("the Service targets the named container port")
  void service() throws IOException {
    assertThat(load("k8s/service.yaml").getJsonObject("spec").getJsonArray("ports").getJsonObject(0).getString("targetPort"))
      .isEqualTo("http");
    assertThat(load("k8s/hpa.yaml").getJsonObject("spec").getJsonObject("scaleTargetRef").getString("name")).isEqualTo("ganglion");
  }

  @SuppressWarnings("unchecked")
  private static JsonObject load(String file) throws IOException {
    return new JsonObject((Map<String, Object>) new Yaml().load(Files.readString(Path.of(file))));
  }

  private static void collectEnvNames(JsonObject tree, String prefix, Set<String> out) {
    for (String field : tree.fieldNames()) {
      String key = prefix.isEmpty() ? field : prefix + "." + field;
      if (tree.getValue(field) instanceof JsonObject child && !child.isEmpty()) {
        collectEnvNames(child, key, out);
      } else {
        out.add(ConfigLoader.envName(key));
      }
    }
  }
}
