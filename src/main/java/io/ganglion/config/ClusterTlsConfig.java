package io.ganglion.config;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code cluster.tls} section: TLS between the nodes' clustered event buses (searches scattered to shards,
 * replies, cluster-wide events), mutual: a node presents {@code cert}/{@code key} (PEM; empty = the HTTP pair,
 * {@code tls.cert}/{@code tls.key}) and accepts only peers whose certificate chains to {@code trust} (a PEM bundle of
 * the CA or of the peers' certificates). Peers are authenticated by the trust bundle, not by host name (pod
 * addresses change). Hazelcast's own membership traffic (port {@code cluster.port}) is not covered: its open-source
 * edition has no TLS.
 *
 * @param enabled TLS on the clustered event bus
 * @param cert    this node's PEM certificate chain
 * @param key     its PEM private key
 * @param trust   PEM certificates a peer's chain must lead to
 */
public record ClusterTlsConfig(boolean enabled, String cert, String key, String trust) {

  public static final ClusterTlsConfig OFF = new ClusterTlsConfig(false, "", "", "");

  /**
   * Reads {@code cluster.tls} of the whole configuration {@code tree} (for the fallback to {@code tls.*}).
   *
   * @throws ConfigException naming the first bad key
   */
  public static ClusterTlsConfig from(JsonObject tree) {
    JsonObject cluster = tree == null ? null : tree.getJsonObject("cluster");
    ConfigReader r = new ConfigReader(cluster, "cluster").child("tls");
    boolean enabled = r.bool("enabled", false);
    if (!enabled) {
      return OFF;
    }
    TlsConfig http = TlsConfig.from(tree.getJsonObject("tls"));
    String cert = r.string("cert", "");
    String key = r.string("key", "");
    if (cert.isEmpty() != key.isEmpty()) {
      throw new ConfigException(r.key(cert.isEmpty() ? "cert" : "key"), "cluster.tls.cert and cluster.tls.key go together");
    }
    if (cert.isEmpty()) {
      if (!http.enabled()) {
        throw new ConfigException(r.key("cert"), "cluster.tls.enabled needs a certificate: set cluster.tls.cert/key or tls.cert/key");
      }
      cert = http.cert();
      key = http.key();
    }
    String trust = r.string("trust", "");
    if (trust.isEmpty()) {
      throw new ConfigException(r.key("trust"), "cluster.tls.enabled needs the PEM certificates peers are checked against");
    }
    for (String[] file : new String[][] {{r.key("cert"), cert}, {r.key("key"), key}, {r.key("trust"), trust}}) {
      if (!Files.isReadable(Path.of(file[1]))) {
        throw new ConfigException(file[0], "cannot read " + file[1]);
      }
    }
    return new ClusterTlsConfig(true, cert, key, trust);
  }
}
