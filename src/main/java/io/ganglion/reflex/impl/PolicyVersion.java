package io.ganglion.reflex.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

/**
 * The version of the reflex policy a node runs: a digest of every setting of the {@code reflex} section that changes
 * what an inspection decides (PII actions and patterns, injection thresholds, bands, overrides, shadow mode, the
 * indirect-injection action, the embedding stage...) and of the detectors' own versions. Cached answers carry it, so
 * one cached under another policy is re-inspected before it is served. The response cache, the rules (which run before
 * the cache on every ask anyway) and the verdict cache do not count.
 */
public final class PolicyVersion {

  private static final Set<String> NOT_POLICY = Set.of("cache", "rules", "rulesFile", "rulesCheckMs", "verdicts");

  private PolicyVersion() {
  }

  /**
   * @param reflex the {@code reflex} configuration section (key order does not matter)
   * @param detectors the detectors' versions ({@code Inspector#injectionVersion()} and the like)
   * @return {@code p-} and 16 hex digits
   */
  public static String of(JsonObject reflex, String detectors) {
    JsonObject policy = reflex == null ? new JsonObject() : reflex.copy();
    NOT_POLICY.forEach(policy::remove);
    StringBuilder canonical = new StringBuilder();
    write(policy, canonical);
    canonical.append('\n').append(detectors);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return "p-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // JSON with object keys sorted, so the same settings in another order give the same version
  private static void write(Object value, StringBuilder out) {
    if (value instanceof JsonObject o) {
      out.append('{');
      boolean first = true;
      for (String key : new TreeSet<>(o.fieldNames())) {
        out.append(first ? "" : ",").append(scalar(key)).append(':');
        write(o.getValue(key), out);
        first = false;
      }
      out.append('}');
    } else if (value instanceof JsonArray a) {
      out.append('[');
      for (int i = 0; i < a.size(); i++) {
        out.append(i == 0 ? "" : ",");
        write(a.getValue(i), out);
      }
      out.append(']');
    } else {
      out.append(scalar(value));
    }
  }

  private static String scalar(Object value) {
    String encoded = new JsonArray().add(value).encode();
    return encoded.substring(1, encoded.length() - 1);
  }
}
