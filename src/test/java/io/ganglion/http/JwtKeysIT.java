package io.ganglion.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ganglion.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("JWTs signed with RS256 and ES256 keys, issuer checks, algorithm confusion, and secrets kept out of logs")
class JwtKeysIT {

  static final String ISSUER = "https://issuer.example";
  static final String SECRET = "hs256-secret-for-the-key-test-0123456789";

  @Test
  @DisplayName("RS256 and ES256 tokens verify against the configured PEMs; a wrong issuer and an HS256 token keyed with the RSA public key are 401; no secret reaches a log line")
  void publicKeys() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target"), "jwt-keys-");
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();
    String rsaPublic = pem("PUBLIC KEY", rsa.getPublic().getEncoded());
    Files.writeString(dir.resolve("rsa.pem"), rsaPublic);
    Files.writeString(dir.resolve("ec.pem"), pem("PUBLIC KEY", ec.getPublic().getEncoded()));

    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    Vertx vertx = Vertx.vertx();
    try (TestServer server = TestServer.start(dir.resolve("data"), Map.of(
      "jwt.publicKeys", dir.resolve("rsa.pem") + "," + dir.resolve("ec.pem"), "jwt.issuer", ISSUER, "jwt.secret", SECRET))) {
      JsonObject claims = new JsonObject().put("sub", "svc").put("tenant", "keys").put("scope", "kb:read");
      String rs256 = signer(vertx, "RS256", pem("PRIVATE KEY", rsa.getPrivate().getEncoded()))
        .generateToken(claims, new JWTOptions().setAlgorithm("RS256").setIssuer(ISSUER).setExpiresInMinutes(5));
      String es256 = signer(vertx, "ES256", pem("PRIVATE KEY", ec.getPrivate().getEncoded()))
        .generateToken(claims, new JWTOptions().setAlgorithm("ES256").setIssuer(ISSUER).setExpiresInMinutes(5));
      String wrongIssuer = signer(vertx, "RS256", pem("PRIVATE KEY", rsa.getPrivate().getEncoded()))
        .generateToken(claims, new JWTOptions().setAlgorithm("RS256").setIssuer("https://evil.example").setExpiresInMinutes(5));
      // algorithm confusion: an HS256 token whose HMAC key is the (public) RSA key text
      String confused = signer(vertx, "HS256", rsaPublic)
        .generateToken(claims, new JWTOptions().setAlgorithm("HS256").setIssuer(ISSUER).setExpiresInMinutes(5));

      assertThat(call(server, rs256).statusCode()).isEqualTo(200);
      assertThat(call(server, es256).statusCode()).isEqualTo(200);
      assertThat(call(server, wrongIssuer).statusCode()).isEqualTo(401);
      assertThat(call(server, confused).statusCode()).isEqualTo(401);

      HttpResponse<String> created = server.postJson("/v1/admin/keys", "{\"tenant\":\"keys\",\"scopes\":[\"chat\"]}");
      String apiKey = new JsonObject(created.body()).getString("key");
      call(server, apiKey.substring(0, apiKey.length() - 1) + "x");

      List<String> secrets = List.of(server.adminKey(), apiKey, SECRET, rs256, es256);
      for (ILoggingEvent event : List.copyOf(logs.list)) {
        String line = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
        for (String secret : secrets) {
          assertThat(line).as("a log line").doesNotContain(secret);
        }
      }
      assertThat(logs.list).isNotEmpty();
    } finally {
      root.detachAppender(logs);
      vertx.close();
    }
  }

  static JWTAuth signer(Vertx vertx, String algorithm, String key) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(key)));
  }

  static HttpResponse<String> call(TestServer server, String token) {
    return server.send(server.request("/v1/kbs").header("Authorization", "Bearer " + token).GET().build());
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
