package io.ganglion;

import io.ganglion.app.Ganglion;
import io.ganglion.config.ConfigLoader;
import io.ganglion.config.GanglionConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * A real Ganglion (embedded PostgreSQL and Redis, random port) for integration tests, plus a small HTTP client.
 * {@link #shared()} is started once per test JVM and stopped when the JVM exits; {@link #start} starts a private one.
 */
public final class TestServer implements AutoCloseable {

  /** Body limit of test servers, small enough to test 413 cheaply. */
  public static final int BODY_LIMIT = 256 * 1024;

  /** HS256 secret of the shared server. */
  public static final String JWT_SECRET = "test-secret-of-at-least-32-bytes-long!";

  private static TestServer shared;

  private final Ganglion ganglion;
  private final String adminKey;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();

  private TestServer(Ganglion ganglion, String adminKey) {
    this.ganglion = ganglion;
    this.adminKey = adminKey;
  }

  public static synchronized TestServer shared() {
    if (shared == null) {
      try {
        shared = start(Files.createTempDirectory(Path.of("target"), "it-data-"), Map.of("jwt.secret", JWT_SECRET));
      } catch (Exception e) {
        throw new IllegalStateException("test server did not start", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
    }
    return shared;
  }

  /** Starts a server on {@code dataDir} with extra {@code --key=value} options. */
  public static TestServer start(Path dataDir, Map<String, String> options) throws Exception {
    List<String> args = new ArrayList<>(List.of("--http.port=0", "--http.instances=2", "--dataDir=" + dataDir,
      "--http.bodyLimitBytes=" + BODY_LIMIT));
    options.forEach((k, v) -> args.add("--" + k + "=" + v));
    GanglionConfig config = GanglionConfig.from(ConfigLoader.load(args, Map.of()));
    Ganglion ganglion = Ganglion.start(config);
    String key = config.auth().adminKey().isEmpty()
      ? Files.readString(dataDir.resolve("admin-key")).trim()
      : config.auth().adminKey();
    return new TestServer(ganglion, key);
  }

  /**
   * Waits (at most a minute) until {@code /ready} answers 200: the warm-up's probe searches are done, so a test's first
   * queries are not embedded in one batch with them (the int8 model's dynamic quantisation makes a query's vector
   * depend slightly on what it is batched with).
   */
  public TestServer awaitReady() {
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
      .until(() -> send(request("/ready").GET().build()).statusCode() == 200);
    return this;
  }

  public Ganglion ganglion() {
    return ganglion;
  }

  public String adminKey() {
    return adminKey;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + ganglion.port() + path);
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
  }

  public HttpRequest.Builder authed(String path) {
    return request(path).header("Authorization", "Bearer " + adminKey);
  }

  public HttpResponse<String> send(HttpRequest request) {
    return send(client, request);
  }

  /** Sends {@code request} with {@code client}, as a string response; I/O failures are unchecked. */
  public static HttpResponse<String> send(HttpClient client, HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A request with {@code key}'s credential: {@code body} as JSON, or no body when null. */
  public HttpResponse<String> as(String key, String method, String path, String body) {
    HttpRequest.Builder request = request(path).header("Authorization", "Bearer " + key)
      .header("Content-Type", "application/json");
    request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
      : request.method(method, HttpRequest.BodyPublishers.ofString(body));
    return send(request.build());
  }

  public HttpResponse<String> get(String path) {
    return send(authed(path).GET().build());
  }

  public HttpResponse<String> postJson(String path, String json) {
    return send(authed(path).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  public HttpResponse<String> delete(String path) {
    return send(authed(path).DELETE().build());
  }

  public static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  @Override
  public void close() {
    ganglion.close();
  }
}
