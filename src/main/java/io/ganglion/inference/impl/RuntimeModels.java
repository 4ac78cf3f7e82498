package io.ganglion.inference.impl;

import io.ganglion.cluster.Cluster;
import io.ganglion.cluster.ClusterTable;
import io.ganglion.store.RuntimeModelRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The models loaded at runtime ({@code POST /v1/admin/models}). PostgreSQL is their source of truth
 * ({@link RuntimeModelRepository}, table {@code runtime_models}: each {@code name@version} with the
 * {@code inference.models} entry it was loaded from): the node whose admin route loaded a model on every member records
 * it, the unload deletes the record, and every node reads the records while it starts and loads those models before its
 * inference verticle is up (so before {@code /ready} says ready), whether it joins a running cluster, restarts alone or
 * the whole cluster starts again.
 * <p>
 * The replicated table {@value #TABLE} only tells running members that the set changed (a member that missed a load,
 * e.g. one still starting, then reads the records again and loads what it lacks); it is not read for the set itself.
 */
public final class RuntimeModels {

  /** The replicated table whose changes tell members the set changed. */
  public static final String TABLE = io.ganglion.cluster.HazelcastSettings.RUNTIME_MODELS;

  private final ClusterTable table;
  private final RuntimeModelRepository records;

  public RuntimeModels(Vertx vertx, RuntimeModelRepository records) {
    this.table = Cluster.membership(vertx).table(TABLE);
    this.records = records;
  }

  /** Records that {@code ref} was loaded on every member from {@code entry}, then tells the members. */
  public Future<Void> loaded(String ref, JsonObject entry) {
    return records.put(ref, entry).compose(v -> table.put(ref, entry.encode()));
  }

  /**
   * Deletes the record of {@code ref}, then tells the members; true when there was one.
   */
  public Future<Boolean> unloaded(String ref) {
    return records.remove(ref).compose(removed -> table.remove(ref).map(removed));
  }

  /** The recorded models, {@code name@version} → entry, in name order. */
  public Future<Map<String, JsonObject>> entries() {
    return records.all();
  }

  /** Calls {@code listener} (on any thread) after any member changed the set. */
  public void onChange(Runnable listener) {
    table.onChange(listener);
  }
}
