package io.ganglion.reflex;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * An answer as the reflex layer hands it to the edge: where it came from, the answer JSON (the
 * {@code ganglion.orchestrator.ask} reply shape) and that JSON already encoded, so a cache hit is written without
 * encoding anything.
 * <p>
 * <b>NOTE</b>: instances from the cache are shared by every event loop that serves them: never modify {@link #json()};
 * {@link #body()} hands out a fresh read-only buffer over the same bytes each time, and {@link #rendered} memoises one derived body (such as the
 * OpenAI shape of the same answer) safely across threads.
 */
public final class ReflexAnswer {

  /** Where an answer came from. */
  public enum Source {
    /** The response cache (or the in-flight computation of another request with the same key). */
    CACHE,
    /** A reflex rule's canned answer. */
    RULE,
    /** The orchestrator, on a cache miss or for an uncacheable request. */
    ORCHESTRATOR
  }

  /** HTTP response header saying whether the answer came from the cache: {@code hit} or {@code miss}. */
  public static final String CACHE_HEADER = "X-Ganglion-Cache";
  /** HTTP response header naming the rule that answered or routed the question. */
  public static final String RULE_HEADER = "X-Ganglion-Rule";

  private final Source source;
  private final String rule;
  private final JsonObject json;
  private final byte[] body;
  private volatile Rendered rendered;

  private record Rendered(String variant, byte[] body) {
  }

  private ReflexAnswer(Source source, String rule, JsonObject json, byte[] body) {
    this.source = source;
    this.rule = rule;
    this.json = json;
    this.body = body;
  }

  /** Wraps {@code json}, encoding it once. */
  public static ReflexAnswer of(Source source, String rule, JsonObject json) {
    return new ReflexAnswer(source, rule, json, json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The answer encoded as {@code bytes} (JSON), parsed once; the bytes are kept as they are, never encoded again. */
  public static ReflexAnswer decoded(Source source, byte[] bytes) {
    return new ReflexAnswer(source, null, new JsonObject(Buffer.buffer(bytes)), bytes);
  }

  /** The same answer with another source and rule (the encoded body is shared). */
  public ReflexAnswer as(Source newSource, String newRule) {
    return new ReflexAnswer(newSource, newRule, json, body);
  }

  public Source source() {
    return source;
  }

  /** The rule that answered or routed this question, or {@code null}. */
  public String rule() {
    return rule;
  }

  /** The answer; read only. */
  public JsonObject json() {
    return json;
  }

  /** {@code hit} for answers from the cache, else {@code miss}. */
  public String cacheStatus() {
    return source == Source.CACHE ? "hit" : "miss";
  }

  /**
   * The encoded answer JSON, in a buffer of its own over the shared bytes (not copied: a cached answer is written as
   * the bytes it is stored as); read only, like {@link #bytes()}.
   */
  public Buffer body() {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(body).asReadOnly());
  }

  /** The encoded answer as bytes, shared: do not modify. */
  public byte[] bytes() {
    return body;
  }

  /**
   * A body derived from this answer, such as its OpenAI shape: computed by {@code render} the first time
   * {@code variant} is asked for and kept (one variant at a time) when the answer comes from the cache.
   */
  public Buffer rendered(String variant, Function<JsonObject, Buffer> render) {
    Rendered r = rendered;
    if (r != null && r.variant().equals(variant)) {
      return BufferInternal.buffer(Unpooled.wrappedBuffer(r.body()).asReadOnly());
    }
    Buffer buffer = render.apply(json);
    if (source == Source.CACHE) {
      rendered = new Rendered(variant, buffer.getBytes());
    }
    return buffer;
  }
}
