package io.ganglion.cluster;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listeners of a {@link Membership}: each is called on the Vert.x context it was added from (membership changes
 * arrive on Hazelcast's threads), or on the firing thread when added from none. Thread-safe.
 */
final class ChangeListeners {

  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  void add(Runnable listener) {
    Context context = Vertx.currentContext();
    listeners.add(context == null ? listener : () -> context.runOnContext(v -> listener.run()));
  }

  void fire() {
    listeners.forEach(Runnable::run);
  }

  void clear() {
    listeners.clear();
  }
}
