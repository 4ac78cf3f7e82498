package io.ganglion.inference.impl;

import io.ganglion.cluster.Cluster;
import io.ganglion.cluster.ClusterTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The models loaded at runtime ({@code POST /v1/admin/models}) as cluster state: the replicated table {@value #TABLE}
 * maps each {@code name@version} to the entry it was loaded from (an {@code inference.models} entry). The node whose
 * admin route loaded a model on every member writes it; the unload removes it. A node that joins later reads the
 * table while it starts and loads those models before its inference verticle is up (so before {@code /ready} says
 * ready), and every node loads an entry added later that it lacks.
 * <p>
 * The table lives as long as one member does: when the whole cluster stops, the runtime loads are forgotten (a model
 * every start must have belongs in {@code inference.models}). On a single node it is that node's memory.
 * <p>
 * <b>NOTE</b>: in a cluster the first read of the table waits until this member holds its copy (Hazelcast's
 * {@code asyncFillup} is off for it, see {@code HazelcastSettings}): call {@link #entries} off the event loop.
 */
public final class RuntimeModels {

  /** The replicated table's name. */
  public static final String TABLE = io.ganglion.cluster.HazelcastSettings.RUNTIME_MODELS;

  private static final Logger LOG = LoggerFactory.getLogger(RuntimeModels.class);

  private final ClusterTable table;

  public RuntimeModels(Vertx vertx) {
    this.table = Cluster.membership(vertx).table(TABLE);
  }

  /** Records that {@code ref} was loaded on every member from {@code entry}. */
  public Future<Void> loaded(String ref, JsonObject entry) {
    return table.put(ref, entry.encode());
  }

  /** Records that {@code ref} is unloaded everywhere. */
  public Future<Void> unloaded(String ref) {
    return table.remove(ref);
  }

  /** The recorded models, {@code name@version} → entry, in name order. Blocking in a cluster (see the class comment). */
  public Map<String, JsonObject> entries() {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    new TreeMap<>(table.snapshot()).forEach((ref, json) -> {
      try {
        out.put(ref, new JsonObject(json));
      } catch (DecodeException e) {
        LOG.warn("ignoring the unreadable entry of runtime model {} in {}: {}", ref, TABLE, e.getMessage());
      }
    });
    return out;
  }

  /** Calls {@code listener} (on any thread) after any member changed the table. */
  public void onChange(Runnable listener) {
    table.onChange(listener);
  }
}
