package io.ganglion.bridge;

import io.ganglion.config.ConfigReader;
import io.vertx.core.json.JsonObject;

/**
 * The {@code bridge} section: the TCP event-bus bridge for non-JVM clients. Off by default.
 *
 * @param enabled              listen for bridge clients
 * @param host                 the address the bridge listens on
 * @param port                 its TCP port
 * @param maxFrameBytes        the largest frame a client may send (the length prefix is checked before the frame is
 *                             read; the bridge's own parser has no limit)
 * @param maxConnectionsPerKey open connections one credential may hold on this node
 */
public record BridgeConfig(boolean enabled, String host, int port, int maxFrameBytes, int maxConnectionsPerKey) {

  /**
   * Reads the {@code bridge} section.
   *
   * @throws io.ganglion.config.ConfigException naming the first bad key
   */
  public static BridgeConfig from(JsonObject bridge) {
    ConfigReader r = new ConfigReader(bridge, "bridge");
    return new BridgeConfig(
      r.bool("enabled", false),
      r.string("host", "0.0.0.0"),
      r.integer("port", 7000, 0, 65535),
      r.integer("maxFrameBytes", 1 << 20, 256, 64 << 20),
      r.integer("maxConnectionsPerKey", 8, 1, 10_000));
  }
}
