package io.ganglion.config;

/**
 * A configuration value that is missing, malformed or out of range. The message always starts with the key
 * ({@code http.port: must be between 0 and 65535, got 70000}) so an operator knows what to fix; start fails with it.
 */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  /** The dotted key, e.g. {@code inference.maxBatch}. */
  public String key() {
    return key;
  }
}
