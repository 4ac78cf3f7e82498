package io.ganglion.app.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The options every client command shares ({@code @Mixin}): where the server is, the credential, and the output
 * format. The key comes from {@code --key}, else the environment variable {@code GANGLION_CLI_KEY} (the server's
 * configuration ignores it), else {@code ./data/admin-key} — only when {@code --url} is the local default, so a
 * local admin key is never sent to another server.
 */
public final class Connection {

  public static final String LOCAL_URL = "http://127.0.0.1:8080";
  public static final String KEY_ENV = "GANGLION_CLI_KEY";
  static final Path LOCAL_KEY_FILE = Path.of("data", "admin-key");

  @Option(names = "--url", defaultValue = LOCAL_URL, description = "server address (default: ${DEFAULT-VALUE})")
  String url;

  @Option(names = "--key", description = "API key or JWT (default: $" + KEY_ENV
    + ", then ./data/admin-key when --url is the local default)")
  String key;

  @Option(names = "--json", description = "print the server's JSON replies instead of text (for scripts)")
  boolean json;

  /** Relative to the working directory, as the server's default {@code dataDir} is. */
  Path localKeyFile = LOCAL_KEY_FILE;

  /** A client for this connection. */
  ApiClient client() {
    return new ApiClient(url, resolveKey(System.getenv()));
  }

  String resolveKey(Map<String, String> env) {
    if (key != null && !key.isBlank()) {
      return key.strip();
    }
    String fromEnv = env.get(KEY_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    if (stripSlash(url).equals(LOCAL_URL) && Files.isReadable(localKeyFile)) {
      try {
        return Files.readString(localKeyFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        return null;
      }
    }
    return null;
  }

  static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
