package io.ganglion.cluster;

import io.vertx.core.Future;

import java.util.Map;

/**
 * A small string table every member holds a full copy of (a Hazelcast {@code ReplicatedMap} in a cluster, a map on a
 * single node): reads are local and cheap, writes reach the other members shortly after (eventually consistent).
 * Each member writes only its own keys, so writes never conflict.
 * <p>
 * <b>NOTE</b>: reads may run on any thread. Writes return a future: in a cluster they run on a worker thread (a
 * Hazelcast write may wait on another member), in the order they were made from one context.
 */
public interface ClusterTable {

  String get(String key);

  /** Every entry, as of now. */
  Map<String, String> snapshot();

  Future<Void> put(String key, String value);

  Future<Void> remove(String key);

  /** Calls {@code listener} (on any thread) after any member changed an entry. */
  void onChange(Runnable listener);
}
