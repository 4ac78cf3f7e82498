package io.ganglion.inference.impl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ganglion.inference.onnx.Embedding;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/**
 * Query embeddings by model and text, so repeated searches of one text (and the extractive generator re-embedding the
 * question its search just embedded) do not run the model again. A query's vector depends on the model and the text
 * only, so entries never go stale; the least recently used go first. Meters: Micrometer's Caffeine binder under
 * {@code ganglion.inference.query.cache} ({@code cache_gets{result=hit|miss}}, evictions, size) and
 * {@code ganglion.inference.query.cache.hit.ratio}.
 * <p>
 * <b>NOTE</b>: thread-safe (Caffeine); the vectors are shared by reference and must not be modified.
 */
public final class QueryCache {

  private final Cache<String, Embedding> cache;

  /** @param entries how many query embeddings to keep; 0 keeps none */
  public QueryCache(int entries, MeterRegistry meters) {
    this.cache = Caffeine.newBuilder().maximumSize(entries).recordStats().build();
    CaffeineCacheMetrics.monitor(meters, cache, "ganglion.inference.query.cache");
    Gauge.builder("ganglion.inference.query.cache.hit.ratio", cache, c -> c.stats().hitRate())
      .description("Share of query embeddings answered from the cache").register(meters);
  }

  /** The cached embedding of {@code text} by {@code model} ({@code name@version}), or null. */
  public Embedding get(String model, String text) {
    return cache.getIfPresent(key(model, text));
  }

  public void put(String model, String text, Embedding embedding) {
    cache.put(key(model, text), embedding);
  }

  /** Forgets every query of {@code model} (it was unloaded; a model loaded again under its name may differ). */
  public void forget(String model) {
    String prefix = model + '\u0000';
    cache.asMap().keySet().removeIf(key -> key.startsWith(prefix));
  }

  private static String key(String model, String text) {
    return model + '\u0000' + text;
  }
}
