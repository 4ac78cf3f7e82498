package io.ganglion.http;

import io.ganglion.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Bearer JWTs")
class JwtIT {

  static TestServer server;
  static Vertx vertx;
  static JWTAuth signer;
  static JWTAuth otherSigner;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
    vertx = Vertx.vertx();
    signer = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(TestServer.JWT_SECRET)));
    otherSigner = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("another-secret-of-at-least-32-bytes!!")));
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  @Test
  @DisplayName("an HS256 token with sub, tenant, scope and exp is accepted, and its tenant scopes the data")
  void valid() {
    String token = signer.generateToken(new JsonObject().put("sub", "alice").put("tenant", "acme").put("scope", "kb:read kb:write"),
      new JWTOptions().setExpiresInMinutes(5));
    HttpResponse<String> created = call("POST", "/v1/kbs", token, "{\"name\":\"acme-only\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(call("GET", "/v1/kbs/acme-only", token, null).statusCode()).isEqualTo(200);
    // the admin key belongs to tenant 'default': another tenant's KB is not found
    assertThat(server.get("/v1/kbs/acme-only").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("a token without the needed scope is 403")
  void missingScope() {
    String token = signer.generateToken(new JsonObject().put("sub", "bob").put("tenant", "acme").put("scope", "kb:read"),
      new JWTOptions().setExpiresInMinutes(5));
    assertThat(call("GET", "/v1/kbs", token, null).statusCode()).isEqualTo(200);
    HttpResponse<String> denied = call("POST", "/v1/kbs", token, "{\"name\":\"nope\"}");
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(TestServer.json(denied).getJsonObject("error").getString("code")).isEqualTo("forbidden");
  }

  @Test
  @DisplayName("expired, wrongly signed, alg:none and claim-less tokens are 401")
  void rejected() {
    String expired = signer.generateToken(new JsonObject().put("sub", "c").put("tenant", "acme").put("exp", 1_000_000L),
      new JWTOptions().setNoTimestamp(true));
    String wrongKey = otherSigner.generateToken(new JsonObject().put("sub", "c").put("tenant", "acme"),
      new JWTOptions().setExpiresInMinutes(5));
    String noTenant = signer.generateToken(new JsonObject().put("sub", "c"), new JWTOptions().setExpiresInMinutes(5));
    String noExp = signer.generateToken(new JsonObject().put("sub", "c").put("tenant", "acme"), new JWTOptions());
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String none = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes()) + "."
      + b64.encodeToString("{\"sub\":\"c\",\"tenant\":\"acme\",\"exp\":9999999999}".getBytes()) + ".";
    for (String token : new String[]{expired, wrongKey, noTenant, noExp, none}) {
      assertThat(call("GET", "/v1/kbs", token, null).statusCode()).as(token).isEqualTo(401);
    }
  }

  private static HttpResponse<String> call(String method, String path, String token, String json) {
    var builder = server.request(path).header("Authorization", "Bearer " + token);
    if (json != null) {
      builder.header("Content-Type", "application/json").method(method, java.net.http.HttpRequest.BodyPublishers.ofString(json));
    } else {
      builder.method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
    }
    return server.send(builder.build());
  }
}
