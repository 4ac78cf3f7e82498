package io.ganglion.cluster;

import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link ClusterTable} on a single node: a concurrent map whose writes are visible at once. */
final class LocalTable implements ClusterTable {

  private final Map<String, String> entries = new ConcurrentHashMap<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  @Override
  public String get(String key) {
    return entries.get(key);
  }

  @Override
  public Map<String, String> snapshot() {
    return Map.copyOf(entries);
  }

  @Override
  public Future<Void> put(String key, String value) {
    if (!value.equals(entries.put(key, value))) {
      listeners.forEach(Runnable::run);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> remove(String key) {
    if (entries.remove(key) != null) {
      listeners.forEach(Runnable::run);
    }
    return Future.succeededFuture();
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }
}
