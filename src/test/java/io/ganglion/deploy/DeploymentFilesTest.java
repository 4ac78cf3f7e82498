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
      assertThat(yaml).hasSizeGreaterThanOrEqualTo(8);
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
  @DisplayName("the StatefulSet probes /health and /ready on the container port, read-only root, non-root user")
  void statefulSet() throws IOException {
    JsonObject pod = pod();
    JsonObject container = pod.getJsonArray("containers").getJsonObject(0);
    assertThat(port(container, "http")).isEqualTo(DEFAULT_PORT);
    assertThat(container.getJsonObject("livenessProbe").getJsonObject("httpGet").getString("path")).isEqualTo("/health");
    assertThat(container.getJsonObject("readinessProbe").getJsonObject("httpGet").getString("path")).isEqualTo("/ready");
    assertThat(container.getJsonObject("securityContext").getBoolean("readOnlyRootFilesystem")).isTrue();
    assertThat(pod.getJsonObject("securityContext").getInteger("runAsUser")).isEqualTo(1000);
    assertThat(container.getString("image")).isEqualTo(load("docker/compose.yaml")
      .getJsonObject("services").getJsonObject("node-1").getString("image"));
    assertThat(container.getJsonObject("resources").getJsonObject("limits").containsKey("memory")).isTrue();
  }

  @Test
  @DisplayName("the cluster ports, discovery service, node id and pre-stop drain agree with cluster.* and bridge.*")
  void clusterWiring() throws IOException {
    JsonObject defaults = ConfigLoader.defaults();
    JsonObject statefulSet = load("k8s/statefulset.yaml");
    JsonObject pod = pod();
    JsonObject container = pod.getJsonArray("containers").getJsonObject(0);
    assertThat(port(container, "hazelcast")).isEqualTo(defaults.getJsonObject("cluster").getInteger("port"));
    assertThat(port(container, "eventbus")).isEqualTo(defaults.getJsonObject("cluster").getInteger("eventBusPort"));
    assertThat(port(container, "bridge")).isEqualTo(defaults.getJsonObject("bridge").getInteger("port"));

    JsonObject headless = documents("k8s/service.yaml").stream()
      .filter(d -> "None".equals(d.getJsonObject("spec").getString("clusterIP"))).findFirst().orElseThrow();
    String headlessName = headless.getJsonObject("metadata").getString("name");
    assertThat(statefulSet.getJsonObject("spec").getString("serviceName")).isEqualTo(headlessName);
    assertThat(headless.getJsonObject("spec").getBoolean("publishNotReadyAddresses")).isTrue();
    assertThat(headless.getJsonObject("spec").getJsonArray("ports").stream().map(p -> ((JsonObject) p).getString("targetPort")))
      .containsExactlyInAnyOrder("hazelcast", "eventbus");
    Map<String, JsonObject> env = new java.util.HashMap<>();
    container.getJsonArray("env").forEach(e -> env.put(((JsonObject) e).getString("name"), (JsonObject) e));
    assertThat(env.get("GANGLION_CLUSTER_KUBERNETES_SERVICE").getString("value")).startsWith(headlessName + ".");
    assertThat(env.get("GANGLION_CLUSTER_NODE_ID").getJsonObject("valueFrom").getJsonObject("fieldRef")
      .getString("fieldPath")).isEqualTo("metadata.name");
    assertThat(load("k8s/configmap.yaml").getJsonObject("data").getString("GANGLION_CLUSTER_ENABLED")).isEqualTo("true");

    assertThat(container.getJsonObject("lifecycle").getJsonObject("preStop")).isNotNull();
    long drainMs = defaults.getJsonObject("cluster").getLong("drainTimeoutMs");
    long graceMs = Long.parseLong(load("k8s/configmap.yaml").getJsonObject("data").getString("GANGLION_HTTP_SHUTDOWN_GRACE_MS"));
    assertThat(pod.getLong("terminationGracePeriodSeconds") * 1000).isGreaterThan(drainMs + graceMs);

    JsonObject pdb = load("k8s/pdb.yaml");
    assertThat(pdb.getJsonObject("spec").getInteger("maxUnavailable")).isEqualTo(1);
    assertThat(pdb.getJsonObject("spec").getJsonObject("selector"))
      .isEqualTo(statefulSet.getJsonObject("spec").getJsonObject("selector"));
    assertThat(load("k8s/hpa.yaml").getJsonObject("spec").getInteger("minReplicas"))
      .isGreaterThan(defaults.getJsonObject("cluster").getInteger("replication"));
  }

  @Test
  @DisplayName("compose runs three clustered nodes with distinct ids seeding each other on external PostgreSQL and Redis, and one node on its own profile")
  void composeCluster() throws IOException {
    JsonObject services = load("docker/compose.yaml").getJsonObject("services");
    int hazelcast = ConfigLoader.defaults().getJsonObject("cluster").getInteger("port");
    Set<String> ids = new HashSet<>();
    for (String node : List.of("node-1", "node-2", "node-3")) {
      JsonObject env = services.getJsonObject(node).getJsonObject("environment");
      assertThat(env.getString("GANGLION_CLUSTER_ENABLED")).isEqualTo("true");
      assertThat(env.getString("GANGLION_POSTGRES_URL")).startsWith("postgresql://");
      assertThat(env.getString("GANGLION_REDIS_URL")).startsWith("redis://");
      assertThat(env.getString("GANGLION_CLUSTER_MEMBERS").split(","))
        .containsExactlyInAnyOrder("node-1:" + hazelcast, "node-2:" + hazelcast, "node-3:" + hazelcast);
      ids.add(env.getString("GANGLION_CLUSTER_NODE_ID"));
    }
    assertThat(ids).hasSize(3);
    assertThat(services.getJsonObject("ganglion").getJsonArray("profiles")).containsExactly("single");
    assertThat(services.getJsonObject("ganglion").getJsonObject("environment").containsKey("GANGLION_CLUSTER_ENABLED"))
      .isFalse();
  }

  @Test
  @DisplayName("the ConfigMap, Secret and compose environment only set variables the server reads")
  void environmentVariablesExist() throws IOException {
    Set<String> known = new HashSet<>();
    collectEnvNames(ConfigLoader.defaults(), "", known);
    Set<String> used = new HashSet<>();
    used.addAll(load("k8s/configmap.yaml").getJsonObject("data").fieldNames());
    used.addAll(load("k8s/secret.template.yaml").getJsonObject("stringData").fieldNames());
    JsonObject services = load("docker/compose.yaml").getJsonObject("services");
    for (String service : List.of("ganglion", "node-1", "node-2", "node-3")) {
      used.addAll(services.getJsonObject(service).getJsonObject("environment").fieldNames());
    }
    pod().getJsonArray("containers").getJsonObject(0).getJsonArray("env").forEach(e -> used.add(((JsonObject) e).getString("name")));
    used.remove("POD_NAMESPACE"); // only expanded into GANGLION_CLUSTER_KUBERNETES_SERVICE
    assertThat(used).isNotEmpty();
    assertThat(known).containsAll(used);
  }

  @Test
  @DisplayName("the Service targets the named container port")
  void service() throws IOException {
    assertThat(documents("k8s/service.yaml").getFirst().getJsonObject("spec").getJsonArray("ports").getJsonObject(0)
      .getString("targetPort")).isEqualTo("http");
    JsonObject target = load("k8s/hpa.yaml").getJsonObject("spec").getJsonObject("scaleTargetRef");
    assertThat(target.getString("name")).isEqualTo("ganglion");
    assertThat(target.getString("kind")).isEqualTo("StatefulSet");
  }

  private static JsonObject pod() throws IOException {
    return load("k8s/statefulset.yaml").getJsonObject("spec").getJsonObject("template").getJsonObject("spec");
  }

  private static int port(JsonObject container, String name) {
    return container.getJsonArray("ports").stream().map(JsonObject.class::cast)
      .filter(p -> name.equals(p.getString("name"))).findFirst().orElseThrow().getInteger("containerPort");
  }

  @SuppressWarnings("unchecked")
  private static List<JsonObject> documents(String file) throws IOException {
    List<JsonObject> out = new java.util.ArrayList<>();
    for (Object doc : new Yaml().loadAll(Files.readString(Path.of(file)))) {
      out.add(new JsonObject((Map<String, Object>) doc));
    }
    return out;
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
