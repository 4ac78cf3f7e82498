package io.ganglion.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ClusterTable} over a Hazelcast {@link ReplicatedMap}: every member keeps all entries in memory, reads are
 * local, a write is applied locally and replicated to the others asynchronously.
 */
final class HazelcastTable implements ClusterTable, EntryListener<String, String> {

  private final Vertx vertx;
  private final ReplicatedMap<String, String> map;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  HazelcastTable(Vertx vertx, ReplicatedMap<String, String> map) {
    this.vertx = vertx;
    this.map = map;
    map.addEntryListener(this);
  }

  @Override
  public String get(String key) {
    return map.get(key);
  }

  @Override
  public Map<String, String> snapshot() {
    return new HashMap<>(map);
  }

  @Override
  public Future<Void> put(String key, String value) {
    // a write goes through the key's partition owner, which may be another member: never on an event loop
    return vertx.executeBlocking(() -> {
      map.put(key, value);
      return null;
    });
  }

  @Override
  public Future<Void> remove(String key) {
    return vertx.executeBlocking(() -> {
      map.remove(key);
      return null;
    });
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  private void changed() {
    listeners.forEach(Runnable::run);
  }

  @Override
  public void entryAdded(EntryEvent<String, String> event) {
    changed();
  }

  @Override
  public void entryUpdated(EntryEvent<String, String> event) {
    changed();
  }

  @Override
  public void entryRemoved(EntryEvent<String, String> event) {
    changed();
  }

  @Override
  public void entryEvicted(EntryEvent<String, String> event) {
    changed();
  }

  @Override
  public void entryExpired(EntryEvent<String, String> event) {
    changed();
  }

  @Override
  public void mapCleared(MapEvent event) {
    changed();
  }

  @Override
  public void mapEvicted(MapEvent event) {
    changed();
  }
}
