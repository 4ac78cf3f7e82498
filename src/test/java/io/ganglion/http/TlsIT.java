package io.ganglion.http;

import io.ganglion.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.ganglion.TestCertificates.pair;
import static io.ganglion.TestCertificates.trusting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("HTTPS and the event-bus bridge over TLS from PEM files")
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class TlsIT {

  private static Path dir;
  private static TestServer server;
  private static SSLContext trustingFirst;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "tls-").toAbsolutePath();
    pair(dir.resolve("cert.pem"), dir.resolve("key.pem"), "first");
    trustingFirst = trusting(dir.resolve("cert.pem"));
    server = TestServer.start(dir.resolve("data"), Map.of("tls.cert", dir.resolve("cert.pem").toString(),
      "tls.key", dir.resolve("key.pem").toString(), "tls.reloadCheckMs", "200", "tls.hstsMaxAgeSeconds", "86400",
      "bridge.enabled", "true", "bridge.host", "127.0.0.1", "bridge.port", "0"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("a client verifying the certificate gets HTTP/2 over TLS with HSTS; a client that does not trust it is refused")
  void verifiedHttp2() throws Exception {
    HttpResponse<String> health = client(trustingFirst).send(get("/health"), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(health.headers().firstValue("Strict-Transport-Security")).contains("max-age=86400");
    assertThat(subject(health)).contains("CN=first");

    assertThatThrownBy(() -> client(SSLContext.getDefault()).send(get("/health"), HttpResponse.BodyHandlers.ofString()))
      .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  @DisplayName("a certificate renewed at the same paths is served to new connections without a restart; a broken one keeps the old")
  void reloadsOnChange() throws Exception {
    Path broken = dir.resolve("broken.pem");
    Files.writeString(broken, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
    double failures = metric("ganglion_tls_reload_failures_total");
    Files.copy(broken, dir.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING); // a renewal caught half-way
    await().atMost(Duration.ofSeconds(20)).until(() -> metric("ganglion_tls_reload_failures_total") > failures);
    assertThat(subject(client(trustingFirst).send(get("/health"), HttpResponse.BodyHandlers.ofString())))
      .as("the broken pair was not taken").contains("CN=first");

    pair(dir.resolve("second-cert.pem"), dir.resolve("second-key.pem"), "second");
    Files.move(dir.resolve("second-key.pem"), dir.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
    Files.move(dir.resolve("second-cert.pem"), dir.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);

    await().atMost(Duration.ofSeconds(20)).ignoreException(SSLHandshakeException.class).until(() ->
      subject(client(trusting(dir.resolve("cert.pem"))).send(get("/health"), HttpResponse.BodyHandlers.ofString())),
      subject -> subject.contains("CN=second"));
  }

  @Test
  @org.junit.jupiter.api.Order(1) // before the renewal test replaces the first certificate
  @DisplayName("the event-bus bridge speaks TLS with the same PEM pair: a verifying client is answered, a plaintext one gets nothing")
  void bridgeOverTls() throws Exception {
    int port = (Integer) server.ganglion().vertx().sharedData().getLocalMap("ganglion.bridge").get("port");
    javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trustingFirst.getSocketFactory().createSocket("localhost", port);
    try (socket) {
      javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS"); // verify the host name, as a careful client does
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(30_000);
      socket.startHandshake();
      assertThat(((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName())
        .contains("CN=first");
      java.io.DataOutputStream out = new java.io.DataOutputStream(socket.getOutputStream());
      java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
      String reply = "client.reply.tls";
      byte[] frame = new io.vertx.core.json.JsonObject().put("type", "send").put("address", "ganglion.retrieval.kb.list")
        .put("replyAddress", reply).put("headers", new io.vertx.core.json.JsonObject()
          .put("authorization", "Bearer " + server.adminKey())).put("body", new io.vertx.core.json.JsonObject())
        .encode().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.writeInt(frame.length);
      out.write(frame);
      out.flush();
      io.vertx.core.json.JsonObject answer;
      do {
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        answer = new io.vertx.core.json.JsonObject(new String(payload, java.nio.charset.StandardCharsets.UTF_8));
      } while (!reply.equals(answer.getString("address")));
      assertThat(answer.getString("type")).as(answer.encode()).isEqualTo("message");
      assertThat(answer.getJsonObject("body").getJsonArray("kbs")).isNotNull();
    }

    // the Python client of bench/ over TLS, verifying the certificate and host name with Python's ssl module
    HttpResponse<String> kb = client(trustingFirst).send(HttpRequest.newBuilder(URI.create("https://localhost:"
        + server.ganglion().port() + "/v1/kbs")).header("Authorization", "Bearer " + server.adminKey())
      .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"tls-bridge\"}"))
      .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(kb.statusCode()).as(kb.body()).isEqualTo(201);
    Process python = new ProcessBuilder("python3", Path.of("bench/bridge-client.py").toAbsolutePath().toString(),
      "--host", "localhost", "--port", Integer.toString(port), "--tls", "--cafile", dir.resolve("cert.pem").toString(),
      "--key", server.adminKey(), "search", "tls-bridge", "anything").redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes());
    assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(python.exitValue()).as(output).isZero();
    assertThat(output).contains("\"hits\"");

    try (java.net.Socket plain = new java.net.Socket("127.0.0.1", port)) {
      plain.setSoTimeout(10_000);
      byte[] frame = "{\"type\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      java.io.DataOutputStream out = new java.io.DataOutputStream(plain.getOutputStream());
      out.writeInt(frame.length);
      out.write(frame);
      out.flush();
      byte[] head = new byte[4];
      int read;
      try {
        read = plain.getInputStream().readNBytes(head, 0, 4);
      } catch (java.net.SocketException e) {
        read = 0; // reset by the server: no frame either
      }
      boolean frameBack = read == 4 && (head[0] & 0xff) == 0 && (head[1] & 0xff) == 0;
      assertThat(frameBack).as("a plaintext client gets no bridge frame back").isFalse();
    }
  }

  private static double metric(String series) throws Exception {
    String text = client(trustingFirst).send(get("/metrics"), HttpResponse.BodyHandlers.ofString()).body();
    return text.lines().filter(l -> l.startsWith(series + " "))
      .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElse(0);
  }

  private static HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + server.ganglion().port() + path))
      .timeout(Duration.ofSeconds(10)).GET().build();
  }

  private static HttpClient client(SSLContext ssl) {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ssl)
      .connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static String subject(HttpResponse<?> response) throws Exception {
    return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSubjectX500Principal().getName();
  }
}
