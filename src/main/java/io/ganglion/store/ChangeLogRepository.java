package io.ganglion.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The change log of each knowledge base ({@code kb_changes}): one row per document upsert or delete, numbered by the
 * knowledge base's version after it and written in the same transaction as the change. A copy of a shard that missed
 * changes (its node was down, partitioned, or just restarted from a snapshot) replays the rows of its shard after the
 * version it holds; once the log has been pruned past that version ({@code kbs.changes_from}) it rebuilds instead.
 * Failures are coded by {@link PgFailures}.
 */
public final class ChangeLogRepository {

  /** One logged change: the document's state after {@code version} is in {@code documents}/{@code chunks}. */
  public record Change(long version, String documentId, boolean deleted) {
  }

  /**
   * The changes of one shard after a version, read in one statement (one snapshot) with the knowledge base's version
   * and log floor, so replaying them brings a copy to at least {@code kbVersion}.
   *
   * @param exists      false when the knowledge base is gone
   * @param kbVersion   the knowledge base's version in the same snapshot
   * @param changesFrom versions up to this one are no longer logged
   */
  public record Changes(boolean exists, long kbVersion, long changesFrom, List<Change> changes) {

    /** Whether the log still reaches back to {@code version} (else the copy must rebuild). */
    public boolean reaches(long version) {
      return version >= changesFrom;
    }
  }

  private final Pool pool;

  public ChangeLogRepository(Pool pool) {
    this.pool = pool;
  }

  /** Logs a change inside the caller's transaction; returns {@code version}. */
  static Future<Long> record(SqlConnection conn, long kbId, long version, int shard, String documentId, boolean deleted) {
    return conn.preparedQuery("insert into kb_changes(kb_id, version, shard, document_id, deleted) values ($1, $2, $3, $4, $5)")
      .execute(Tuple.of(kbId, version, shard, documentId, deleted))
      .map(rows -> version);
  }

  /** The logged changes of {@code shard} with a version above {@code afterVersion}, oldest first. */
  public Future<Changes> since(long kbId, int shard, long afterVersion) {
    return pool.preparedQuery("with k as (select version, changes_from from kbs where id = $1) "
        + "select k.version as kb_version, k.changes_from, c.version, c.document_id, c.deleted from k "
        + "left join kb_changes c on c.kb_id = $1 and c.shard = $2 and c.version > $3 order by c.version")
      .execute(Tuple.of(kbId, shard, afterVersion))
      .map(rows -> {
        if (rows.size() == 0) {
          return new Changes(false, 0, 0, List.of());
        }
        List<Change> changes = new ArrayList<>();
        long kbVersion = 0;
        long changesFrom = 0;
        for (Row r : rows) {
          kbVersion = r.getLong("kb_version");
          changesFrom = r.getLong("changes_from");
          if (r.getLong("version") != null) {
            changes.add(new Change(r.getLong("version"), r.getString("document_id"), r.getBoolean("deleted")));
          }
        }
        return new Changes(true, kbVersion, changesFrom, changes);
      })
      .recover(PgFailures::coded);
  }

  /** A change of any shard with the time it was logged. */
  public record Logged(long version, String documentId, boolean deleted, OffsetDateTime changedAt) {
  }

  /**
   * Up to {@code limit} changes of every shard of the knowledge base after {@code afterVersion}, oldest first, and the
   * log's floor ({@code changesFrom}: versions up to it are no longer logged).
   */
  public Future<Map.Entry<Long, List<Logged>>> after(long kbId, long afterVersion, int limit) {
    return pool.preparedQuery("with k as (select changes_from from kbs where id = $1) "
        + "select k.changes_from, c.version, c.document_id, c.deleted, c.changed_at from k "
        + "left join lateral (select * from kb_changes where kb_id = $1 and version > $2 order by version limit $3) c on true "
        + "order by c.version")
      .execute(Tuple.of(kbId, afterVersion, limit))
      .map(rows -> {
        List<Logged> changes = new ArrayList<>();
        long floor = 0;
        for (Row r : rows) {
          floor = r.getLong("changes_from");
          if (r.getLong("version") != null) {
            changes.add(new Logged(r.getLong("version"), r.getString("document_id"), r.getBoolean("deleted"),
              r.getOffsetDateTime("changed_at")));
          }
        }
        return Map.entry(floor, changes);
      })
      .recover(PgFailures::coded);
  }

  /**
   * Forgets the changes of {@code kbId} older than its last {@code keep} versions; copies behind them rebuild.
   * Returns how many rows went.
   */
  public Future<Integer> prune(long kbId, long keep) {
    return pool.withTransaction(conn -> conn.preparedQuery("update kbs set changes_from = greatest(changes_from, version - $2) "
        + "where id = $1 returning changes_from")
      .execute(Tuple.of(kbId, keep))
      .compose(rows -> rows.size() == 0 ? Future.succeededFuture(0)
        : conn.preparedQuery("delete from kb_changes where kb_id = $1 and version <= $2")
          .execute(Tuple.of(kbId, rows.iterator().next().getLong("changes_from")))
          .map(deleted -> deleted.rowCount())))
      .recover(PgFailures::coded);
  }
}
