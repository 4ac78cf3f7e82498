package io.ganglion.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How a delivery is signed, and how a receiver checks it. A delivery carries {@code X-Ganglion-Timestamp: <unix
 * seconds>} and {@code X-Ganglion-Signature: sha256=<hex>}, the hex being HMAC-SHA256 with the webhook's secret over
 * {@code "<timestamp>.<body>"}. During a secret rotation the header lists one signature per live secret, comma
 * separated ({@code sha256=<new>,sha256=<old>}); a receiver accepts the delivery when any of them matches the secret
 * it holds. Because the timestamp is signed, a receiver that refuses timestamps older than a few minutes refuses a
 * captured delivery replayed later. Every attempt is signed anew, with its own timestamp.
 */
public final class WebhookSignature {

  public static final String TIMESTAMP_HEADER = "X-Ganglion-Timestamp";
  public static final String SIGNATURE_HEADER = "X-Ganglion-Signature";
  public static final String DELIVERY_HEADER = "X-Ganglion-Delivery";
  public static final String EVENT_HEADER = "X-Ganglion-Event";

  private WebhookSignature() {
  }

  /** The hex HMAC-SHA256 of {@code "<timestamp>.<body>"} under {@code secret}. */
  public static String sign(String secret, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** The signature header's value: {@code sha256=<hex>} for each secret, comma separated. */
  public static String header(List<String> secrets, long timestamp, String body) {
    return secrets.stream().map(s -> "sha256=" + sign(s, timestamp, body)).collect(Collectors.joining(","));
  }

  /**
   * A receiver's check: the timestamp is within {@code toleranceSeconds} of {@code nowSeconds} and one of the
   * header's signatures is the body's under {@code secret} (compared in constant time).
   */
  public static boolean verify(String secret, String signatureHeader, String timestampHeader, String body,
                               long nowSeconds, long toleranceSeconds) {
    if (signatureHeader == null || timestampHeader == null) {
      return false;
    }
    long timestamp;
    try {
      timestamp = Long.parseLong(timestampHeader.strip());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
      return false;
    }
    byte[] expected = ("sha256=" + sign(secret, timestamp, body)).getBytes(StandardCharsets.US_ASCII);
    boolean match = false;
    for (String candidate : signatureHeader.split(",")) {
      match |= MessageDigest.isEqual(expected, candidate.strip().getBytes(StandardCharsets.US_ASCII));
    }
    return match;
  }
}
