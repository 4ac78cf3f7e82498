package io.ganglion.store;

import java.util.List;

/**
 * One kind of row retention purges: rows of {@code table} whose {@code column} (a timestamp) is older than the number
 * of days in the setting {@code retention.<setting>} (0 keeps them forever). A table that does not exist yet is
 * skipped, so a rule can land before its migration.
 * <p>
 * To purge a new table, add a line to {@link #ALL} and its setting, with its default and a comment, to
 * {@code conf/ganglion.yaml}.
 */
public record RetentionRule(String table, String column, String setting) {

  /** Every purged table, in purge order (children before parents where a cascade would do the work anyway). */
  public static final List<RetentionRule> ALL = List.of(
    new RetentionRule("traces", "created_at", "tracesDays"),
    new RetentionRule("messages", "created_at", "messagesDays"),
    new RetentionRule("conversations", "updated_at", "conversationsDays"),
    new RetentionRule("audit_log", "at", "auditDays"),
    // agent runs by when they ended (live runs have none, so they are never purged); their steps go with them
    new RetentionRule("runs", "finished_at", "runsDays"),
    // webhook deliveries by when they were settled (pending ones have none, so they are never purged); attempts go along
    new RetentionRule("webhook_deliveries", "finished_at", "webhookDeliveriesDays"));

  public RetentionRule {
    for (String identifier : List.of(table, column)) {
      if (!identifier.matches("[a-z_][a-z0-9_]*")) {
        throw new IllegalArgumentException("not a plain SQL identifier: " + identifier);
      }
    }
  }

  /** Deletes up to {@code $2} rows older than {@code $1} days (bounded batches keep each statement's locks short). */
  String deleteBatch() {
    return "delete from " + table + " where ctid = any(array(select ctid from " + table + " where " + column
      + " < now() - make_interval(days => $1) limit $2))";
  }
}
