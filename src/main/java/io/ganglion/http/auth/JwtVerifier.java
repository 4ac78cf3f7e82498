package io.ganglion.http.auth;

import io.ganglion.bus.ErrorCode;
import io.ganglion.config.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies bearer JWTs with vertx-auth-jwt: HS256 with {@code jwt.secret}, RS256/ES256 with the PEM public keys in
 * {@code jwt.publicKeys}. Required claims: {@code sub}, {@code tenant}, {@code exp}; {@code scope} is space
 * separated; {@code iss}/{@code aud} are checked when configured.
 */
public final class JwtVerifier {

  private final JWTAuth auth;

  public JwtVerifier(Vertx vertx, AuthConfig config) {
    JWTOptions jwtOptions = new JWTOptions().setLeeway(5);
    if (!config.jwtIssuer().isEmpty()) {
      jwtOptions.setIssuer(config.jwtIssuer());
    }
    if (!config.jwtAudience().isEmpty()) {
      jwtOptions.setAudience(List.of(config.jwtAudience()));
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(jwtOptions);
    if (!config.jwtSecret().isEmpty()) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret()));
    }
    for (Path pem : config.jwtPublicKeys()) {
      String text = read(pem);
      String algorithm = algorithmOf(pem, text);
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(text));
    }
    this.auth = options.getPubSecKeys() == null || options.getPubSecKeys().isEmpty() ? null : JWTAuth.create(vertx, options);
  }

  /** Three base64url segments starting with a JSON header. */
  public static boolean looksLikeJwt(String credential) {
    return credential.startsWith("eyJ") && credential.chars().filter(c -> c == '.').count() == 2;
  }

  public Future<Principal> verify(String token) {
    if (auth == null) {
      return Future.failedFuture(ErrorCode.UNAUTHORIZED.exception("JWTs are not accepted: no JWT key is configured"));
    }
    return auth.authenticate(new TokenCredentials(token))
      .recover(failure -> Future.failedFuture(ErrorCode.UNAUTHORIZED.exception("invalid JWT: " + failure.getMessage())))
      .compose(user -> {
        // vertx-auth keeps the decoded claims in the "accessToken" attribute
        JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
        String subject = claims.getString("sub");
        String tenant = claims.getString("tenant");
        if (subject == null || tenant == null || !claims.containsKey("exp")) {
          return Future.failedFuture(ErrorCode.UNAUTHORIZED.exception("JWT must carry sub, tenant and exp claims"));
        }
        Set<String> scopes = new LinkedHashSet<>(Arrays.asList(claims.getString("scope", "").trim().split("\\s+")));
        scopes.remove("");
        Integer rpm = claims.getValue("rpm") instanceof Number n ? n.intValue() : null;
        Long tokensPerDay = claims.getValue("tpd") instanceof Number n ? n.longValue() : null;
        return Future.succeededFuture(new Principal("jwt:" + subject, tenant, Set.copyOf(scopes), null, rpm, tokensPerDay));
      });
  }

  /** RS256 for an RSA public key, ES256 for an EC one, told apart by parsing the key. */
  private static String algorithmOf(Path pem, String text) {
    String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    try {
      byte[] der = java.util.Base64.getDecoder().decode(base64);
      java.security.spec.X509EncodedKeySpec spec = new java.security.spec.X509EncodedKeySpec(der);
      try {
        java.security.KeyFactory.getInstance("RSA").generatePublic(spec);
        return "RS256";
      } catch (java.security.spec.InvalidKeySpecException notRsa) {
        java.security.KeyFactory.getInstance("EC").generatePublic(spec);
        return "ES256";
      }
    } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
      throw new io.ganglion.config.ConfigException("jwt.publicKeys", pem + " is not a PEM RSA or EC public key");
    }
  }

  private static String read(Path pem) {
    try {
      return Files.readString(pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
