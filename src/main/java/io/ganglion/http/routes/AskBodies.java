package io.ganglion.http.routes;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ganglion.bus.ErrorCode;
import io.ganglion.http.JsonBodies;
import io.ganglion.reflex.cache.CacheKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Arrays;

/**
 * The ask requests of {@code POST /v1/kbs/{kb}/ask} bodies, remembered by their raw bytes: a question asked again with
 * the same body (the case the answer cache serves) is neither decoded nor re-keyed. The memo is keyed by tenant,
 * knowledge base and the exact body bytes, holds only bodies that decoded into a valid request (a bad body fails
 * again each time, with the same error), only bodies up to {@value #MAX_BODY} bytes, and at most
 * {@value #MAX_BYTES} bytes of bodies in all. What it hands out is shared: read only.
 * <p>
 * Thread-safe (Caffeine); one per HTTP verticle instance.
 */
final class AskBodies {

  /** Bodies larger than this are decoded every time (a repeated question is short). */
  static final int MAX_BODY = 2_048;
  /** The memo's budget: the bytes of the bodies it keeps, plus a fixed overhead per entry. */
  static final long MAX_BYTES = 4L << 20;
  private static final int ENTRY_OVERHEAD = 512;
  private static final String[] FIELDS = {"question", "conversationId", "k", "generator", "filter", "sampling"};

  /** An ask as the route hands it on. {@code request} is shared by every request with the same body: read only. */
  record Ask(JsonObject request, boolean stream, CacheKey.Memo keys) {
  }

  private record Key(String tenant, String kb, byte[] body) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && tenant.equals(k.tenant) && kb.equals(k.kb) && Arrays.equals(body, k.body);
    }

    @Override
    public int hashCode() {
      return (tenant.hashCode() * 31 + kb.hashCode()) * 31 + Arrays.hashCode(body);
    }
  }

  private final Cache<Key, Ask> asks = Caffeine.newBuilder()
    .maximumWeight(MAX_BYTES)
    .<Key, Ask>weigher((k, v) -> k.body.length + ENTRY_OVERHEAD)
    .build();

  /** The ask of {@code ctx}'s body for {@code tenant} and {@code kb}; a malformed or invalid body fails (4xx). */
  Ask ask(RoutingContext ctx, String tenant, String kb) {
    return ask(ctx.body().buffer(), tenant, kb);
  }

  /** The ask of the raw body {@code raw} (or {@code null}). */
  Ask ask(Buffer raw, String tenant, String kb) {
    if (raw == null || raw.length() == 0 || raw.length() > MAX_BODY) {
      return decode(raw, tenant, kb);
    }
    Key key = new Key(tenant, kb, raw.getBytes());
    Ask known = asks.getIfPresent(key);
    if (known != null) {
      return known;
    }
    Ask ask = decode(raw, tenant, kb);
    asks.put(key, ask);
    return ask;
  }

  /** Bodies remembered now. */
  long size() {
    asks.cleanUp();
    return asks.estimatedSize();
  }

  private static Ask decode(Buffer raw, String tenant, String kb) {
    JsonObject body = JsonBodies.object(raw);
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw ErrorCode.INVALID_REQUEST.exception("'stream' must be true or false");
    }
    JsonObject request = new JsonObject().put("tenant", tenant).put("kb", kb);
    for (String field : FIELDS) {
      if (body.containsKey(field)) {
        request.put(field, body.getValue(field));
      }
    }
    return new Ask(request, Boolean.TRUE.equals(stream), new CacheKey.Memo());
  }
}
