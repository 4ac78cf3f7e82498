package io.ganglion.reflex.pii;

import io.ganglion.reflex.Direction;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rewrites text according to a {@link PiiPolicy}, for one request and one direction.
 * <p>
 * Masking numbers placeholders per type in order of first appearance ({@code [EMAIL_1]}, {@code [EMAIL_2]}) and
 * gives a value that appears again the placeholder it got the first time, across every call on this instance:
 * use one instance per request (a streamed answer included) and never share it between requests.
 * <p>
 * <b>NOTE</b>: not thread-safe; it lives on the event loop of the request it serves.
 */
public final class Redactor {

  private static final int HASH_HEX_CHARS = 12;

  private final PiiPolicy policy;
  private final Direction direction;
  private final byte[] salt;
  private final Map<String, String> placeholders = new HashMap<>();
  private final Map<String, Integer> counters = new HashMap<>();

  /**
   * @param salt mixed into {@link PiiAction#HASH} digests so they cannot be reversed by hashing guesses
   */
  public Redactor(PiiPolicy policy, Direction direction, byte[] salt) {
    this.policy = policy;
    this.direction = direction;
    this.salt = salt.clone();
  }

  /** The action this redactor applies to {@code finding}. */
  public PiiAction actionFor(Finding finding) {
    return policy.actionFor(finding.type(), direction);
  }

  /**
   * {@code text} with every finding that is not {@link PiiAction#ALLOW}ed replaced.
   *
   * @param findings non-overlapping, sorted by start, within {@code text} (as {@link PiiScanner#scan} returns them)
   */
  public String redact(String text, List<Finding> findings) {
    StringBuilder out = null;
    int copied = 0;
    for (Finding f : findings) {
      PiiAction action = actionFor(f);
      if (action == PiiAction.ALLOW) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 16);
      }
      out.append(text, copied, f.start());
      String value = text.substring(f.start(), f.end());
      out.append(action == PiiAction.HASH ? hashed(f.type(), value) : placeholder(f.type(), value));
      copied = f.end();
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  private String placeholder(String type, String value) {
    return placeholders.computeIfAbsent(type + '\u0000' + value,
      key -> "[" + label(type) + "_" + counters.merge(type, 1, Integer::sum) + "]");
  }

  private String hashed(String type, String value) {
    MessageDigest sha256 = sha256();
    sha256.update(salt);
    byte[] digest = sha256.digest(value.getBytes(StandardCharsets.UTF_8));
    return "[" + label(type) + ":" + HexFormat.of().formatHex(digest).substring(0, HASH_HEX_CHARS) + "]";
  }

  private static String label(String type) {
    return type.toUpperCase(Locale.ROOT);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }
}
