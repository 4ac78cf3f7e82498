package io.ganglion.config;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code tls} section: a PEM certificate chain ({@code tls.cert}) and its PEM private key ({@code tls.key},
 * PKCS#8 or PKCS#1) for HTTPS; both empty = plain HTTP. With TLS on, HTTP/2 is offered through ALPN, every response
 * carries {@code Strict-Transport-Security: max-age=<hstsMaxAgeSeconds>} (0 = no header), and the files are checked
 * every {@code reloadCheckMs} and reloaded without a restart when they change (a broken pair keeps the one in use).
 */
public record TlsConfig(String cert, String key, long reloadCheckMs, long hstsMaxAgeSeconds) {

  public static TlsConfig from(JsonObject tls) {
    ConfigReader r = new ConfigReader(tls, "tls");
    String cert = r.string("cert", "");
    String key = r.string("key", "");
    if (cert.isEmpty() != key.isEmpty()) {
      throw new ConfigException(cert.isEmpty() ? "tls.cert" : "tls.key", "tls.cert and tls.key go together: set both or neither");
    }
    for (String[] file : new String[][] {{"tls.cert", cert}, {"tls.key", key}}) {
      if (!file[1].isEmpty() && !Files.isReadable(Path.of(file[1]))) {
        throw new ConfigException(file[0], "cannot read " + file[1]);
      }
    }
    return new TlsConfig(cert, key, r.longValue("reloadCheckMs", 10_000, 100, 86_400_000),
      r.longValue("hstsMaxAgeSeconds", 31_536_000, 0, 10L * 31_536_000));
  }

  public boolean enabled() {
    return !cert.isEmpty();
  }
}
