package io.ganglion.retrieval.shard;

/**
 * The life of one copy of a shard on one node (Elasticsearch's initializing/started, Qdrant's partial/active): only
 * {@link #ACTIVE} copies serve searches. A copy is created {@link #LOADING} (from its snapshot, or rebuilt from
 * PostgreSQL, then caught up with the change log), becomes {@link #ACTIVE} once current, and is {@link #DROPPED} when
 * its node no longer owns it and the new owners are active (load-then-drop), or its knowledge base is deleted.
 */
public enum ReplicaState {
  LOADING,
  ACTIVE,
  DROPPED;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
