package io.ganglion.store;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the schema up to date at start with the versioned SQL under {@code db/migration} (Flyway). Blocking: runs on
 * the launching thread before any verticle is deployed.
 */
public final class Migrations {

  private Migrations() {
  }

  /** Applies pending migrations; returns how many ran. Throws {@link StoreUnavailableException} if PostgreSQL can't be reached. */
  public static int migrate(String postgresUrl, long connectTimeoutMs) {
    PgConnectOptions options = PgConnectOptions.fromUri(postgresUrl);
    String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase()
      + "?connectTimeout=" + Math.max(1, connectTimeoutMs / 1000);
    Flyway flyway = Flyway.configure()
      .dataSource(jdbcUrl, options.getUser(), options.getPassword())
      .locations("classpath:db/migration")
      // versions are allotted per branch (V6 cluster, V7 agents, V11 operations...) and branches land in any order:
      // a database already past V11 still takes a V6 merged later, rather than refusing to start
      .outOfOrder(true)
      .connectRetries(0)
      .load();
    try {
      MigrateResult result = flyway.migrate();
      return result.migrationsExecuted;
    } catch (org.flywaydb.core.api.FlywayException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      if (root instanceof java.net.ConnectException || root instanceof java.net.UnknownHostException
        || root instanceof java.net.SocketTimeoutException || String.valueOf(e.getMessage()).contains("Unable to obtain connection")) {
        throw new StoreUnavailableException("cannot reach PostgreSQL at " + options.getHost() + ":" + options.getPort()
          + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")", e);
      }
      throw e;
    }
  }
}
