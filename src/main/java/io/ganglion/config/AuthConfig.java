package io.ganglion.config;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code admin} and {@code jwt} sections: the bootstrap admin key and how bearer JWTs are verified.
 *
 * @param adminKey      the admin key to install, or empty to generate one on first start
 * @param jwtSecret     the HS256 secret, or empty to refuse HS256 tokens
 * @param jwtPublicKeys PEM files with RS256/ES256 public keys
 */
public record AuthConfig(String adminKey, String jwtSecret, List<Path> jwtPublicKeys, String jwtIssuer,
                         String jwtAudience) {

  public static AuthConfig from(JsonObject root) {
    ConfigReader admin = new ConfigReader(root, "").child("admin");
    ConfigReader jwt = new ConfigReader(root, "").child("jwt");
    String adminKey = admin.string("key", "");
    if (!adminKey.isEmpty() && adminKey.length() < 16) {
      throw new ConfigException("admin.key", "must be at least 16 characters");
    }
    String secret = jwt.string("secret", "");
    if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException("jwt.secret", "must be at least 32 bytes for HS256");
    }
    List<Path> keys = jwt.strings("publicKeys").stream().map(Path::of).toList();
    for (Path key : keys) {
      if (!Files.isReadable(key)) {
        throw new ConfigException("jwt.publicKeys", "cannot read " + key);
      }
    }
    return new AuthConfig(adminKey, secret, keys, jwt.string("issuer", ""), jwt.string("audience", ""));
  }
}
