package io.ganglion.reflex.cache;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The cache key of an answer: a SHA-256 (base64url) over tenant, knowledge base, the knowledge base's version tag,
 * the generator settings ({@code generator}, {@code k}, {@code filter}), the conversation turns given inline
 * ({@code history}, OpenAI API), the sampling settings ({@code sampling}) and the {@linkplain #normalise normalised} question. Every field is length-prefixed,
 * so no two different field lists share a key.
 */
public final class CacheKey {

  private static final String TRAILING = ".?!,;:\u2026\u3002\uff1f\uff01\u00bf\u00a1";

  private CacheKey() {
  }

  /**
   * The key of one request (read only) against the latest knowledge-base version tag it was asked for: a request
   * remembered by its body ({@code AskBodies} at the HTTP edge) is keyed again only when the version changes.
   * Thread-safe: the last tag and its key are swapped together.
   */
  public static final class Memo {
    private record Tagged(String tag, String key) {
    }

    private volatile Tagged last;

    /** {@link CacheKey#of}{@code (request, tag)}, computed once per tag. {@code request} must be the same each time. */
    public String of(JsonObject request, String tag) {
      Tagged known = last;
      if (known != null && known.tag().equals(tag)) {
        return known.key();
      }
      String key = CacheKey.of(request, tag);
      last = new Tagged(tag, key);
      return key;
    }
  }

  /**
   * Case-folded, whitespace runs collapsed to one space, trimmed, trailing punctuation removed: "What is X?" and
   * " what  is x " share an answer.
   */
  public static String normalise(String question) {
    String folded = question.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(folded.length());
    boolean space = false;
    for (int i = 0; i < folded.length(); i++) {
      char c = folded.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        space = !out.isEmpty();
      } else {
        if (space) {
          out.append(' ');
          space = false;
        }
        out.append(c);
      }
    }
    int end = out.length();
    while (end > 0 && isPunctuation(out.charAt(end - 1))) {
      end--;
      while (end > 0 && out.charAt(end - 1) == ' ') {
        end--;
      }
    }
    out.setLength(end);
    return out.toString();
  }

  /** Sentence punctuation only: "C#", "C++" and "50%" keep their last character. */
  private static boolean isPunctuation(char c) {
    return TRAILING.indexOf(c) >= 0;
  }

  /**
   * The key of an ask request ({@code ganglion.orchestrator.ask} shape) against knowledge base version {@code tag}.
   *
   * @param request with {@code tenant}, {@code kb}, {@code question}; optional {@code generator}, {@code k},
   *                {@code filter}, {@code history}, {@code sampling}
   */
  public static String of(JsonObject request, String tag) {
    MessageDigest digest = sha256();
    field(digest, request.getString("tenant"));
    field(digest, request.getString("kb"));
    field(digest, tag);
    field(digest, String.valueOf(request.getValue("generator", "")));
    field(digest, String.valueOf(request.getValue("k", "")));
    field(digest, canonical(request.getValue("filter")));
    Object history = request.getValue("history");
    field(digest, history instanceof JsonArray h && !h.isEmpty() ? h.encode() : "");
    field(digest, normalise(request.getString("question")));
    // sampling (max tokens, temperature, stop) shapes the answer; absent, keys stay as they were before it existed
    if (request.getValue("sampling") instanceof JsonObject sampling && !sampling.isEmpty()) {
      field(digest, canonical(sampling));
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest());
  }

  /** A filter with its keys sorted, so {@code {a,b}} and {@code {b,a}} share a key. */
  private static String canonical(Object filter) {
    if (!(filter instanceof JsonObject f) || f.isEmpty()) {
      return "";
    }
    return new JsonObject(new TreeMap<>(f.getMap())).encode();
  }

  private static void field(MessageDigest digest, String value) {
    byte[] bytes = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
    digest.update((byte) (bytes.length >>> 24));
    digest.update((byte) (bytes.length >>> 16));
    digest.update((byte) (bytes.length >>> 8));
    digest.update((byte) bytes.length);
    digest.update(bytes);
  }

  // one digest per thread (keys are computed on event loops, on every cached ask): getInstance looks the provider up
  private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  });

  private static MessageDigest sha256() {
    MessageDigest digest = DIGESTS.get();
    digest.reset();
    return digest;
  }
}
