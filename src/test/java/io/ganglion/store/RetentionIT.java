package io.ganglion.store;

import io.ganglion.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@DisplayName("Retention")
class RetentionIT {

  private static TestServer server;
  private static Connection sql;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Files.createTempDirectory(Path.of("target"), "retention-"), Map.of(
      "retention.tracesDays", "30", "retention.messagesDays", "30", "retention.conversationsDays", "60",
      "retention.auditDays", "90", "retention.intervalMs", "1000", "retention.batchSize", "2"));
    String url = server.ganglion().config().postgres().url();
    sql = DriverManager.getConnection("jdbc:" + url.replace("postgres@", "") + "?user=postgres");
    sql.createStatement().execute("insert into tenants(id) values ('retention') on conflict do nothing");
  }

  @AfterAll
  static void stop() throws SQLException {
    sql.close();
    server.close();
  }

  @Test
  @DisplayName("purges traces, messages, conversations and audit entries older than their ages, in batches, and keeps younger ones")
  void purgesByAge() throws Exception {
    UUID oldConversation = conversation(61);
    UUID liveConversation = conversation(1);
    for (int i = 0; i < 5; i++) { // more rows than one batch
      trace(31);
      message(liveConversation, 31);
      audit(91);
    }
    UUID youngTrace = trace(29);
    message(liveConversation, 29);
    audit(89);
    message(oldConversation, 1); // goes with its conversation

    await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from traces where created_at < now() - interval '30 days'") == 0
      && count("select count(*) from audit_log where at < now() - interval '90 days'") == 0
      && count("select count(*) from conversations where id = '" + oldConversation + "'") == 0
      && count("select count(*) from messages where created_at < now() - interval '30 days'") == 0);

    assertThat(count("select count(*) from traces where id = '" + youngTrace + "'")).isEqualTo(1);
    assertThat(count("select count(*) from messages where conversation_id = '" + liveConversation + "'")).isEqualTo(1);
    assertThat(count("select count(*) from messages where conversation_id = '" + oldConversation + "'")).isZero();
    assertThat(count("select count(*) from conversations where id = '" + liveConversation + "'")).isEqualTo(1);
    assertThat(count("select count(*) from audit_log where at < now() - interval '89 days' + interval '1 hour'"))
      .isEqualTo(1);
    assertThat(metric("ganglion_retention_purged_rows_total{table=\"traces\"}")).isGreaterThanOrEqualTo(5);
  }

  @Test
  @DisplayName("runs on one node at a time: while another session holds the purge lock, runs are skipped and nothing is deleted")
  void oneNodeAtATime() throws Exception {
    try (Connection other = DriverManager.getConnection(sql.getMetaData().getURL(), "postgres", "")) {
      try (Statement s = other.createStatement()) {
        s.execute("select pg_advisory_lock(" + RetentionVerticle.LOCK_KEY + ")");
      }
      UUID old = trace(45);
      double skipped = metric("ganglion_retention_runs_total{outcome=\"skipped\"}");
      await().atMost(Duration.ofSeconds(30)).until(() -> metric("ganglion_retention_runs_total{outcome=\"skipped\"}") >= skipped + 2);
      assertThat(count("select count(*) from traces where id = '" + old + "'")).isEqualTo(1);

      try (Statement s = other.createStatement()) {
        s.execute("select pg_advisory_unlock(" + RetentionVerticle.LOCK_KEY + ")");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> count("select count(*) from traces where id = '" + old + "'") == 0);
    }
  }

  @Test
  @DisplayName("the free space of the data directory's file system is a metric")
  void freeSpaceMetric() {
    String text = server.send(server.request("/metrics").GET().build()).body();
    String line = text.lines().filter(l -> l.startsWith("ganglion_disk_free_bytes{")).findFirst().orElseThrow();
    assertThat(line).contains("path=\"" + server.ganglion().config().dataDir() + "\"");
    assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).isPositive();
  }

  private static UUID trace(int daysOld) throws SQLException {
    UUID id = UUID.randomUUID();
    sql.createStatement().execute("insert into traces(id, tenant_id, kb, question, query, answer, outcome, generator, "
      + "abstained, steps, chunk_ids, citations, prompt_tokens, completion_tokens, latency_ms, created_at) values ('"
      + id + "', 'retention', 'kb', 'q', 'q', 'a', 'answered', 'extractive', false, '[]', '{}', '[]', 0, 0, 1, "
      + "now() - interval '" + daysOld + " days')");
    return id;
  }

  private static UUID conversation(int daysOld) throws SQLException {
    UUID id = UUID.randomUUID();
    sql.createStatement().execute("insert into conversations(id, tenant_id, kb, created_at, updated_at) values ('" + id
      + "', 'retention', 'kb', now() - interval '" + daysOld + " days', now() - interval '" + daysOld + " days')");
    return id;
  }

  private static void message(UUID conversation, int daysOld) throws SQLException {
    sql.createStatement().execute("insert into messages(conversation_id, role, content, created_at) values ('"
      + conversation + "', 'user', 'hello', now() - interval '" + daysOld + " days')");
  }

  private static void audit(int daysOld) throws SQLException {
    sql.createStatement().execute("insert into audit_log(at, action, tenant) values (now() - interval '" + daysOld
      + " days', 'test.old', 'retention')");
  }

  private static long count(String query) {
    try (ResultSet rs = sql.createStatement().executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double metric(String series) {
    String text = server.send(server.request("/metrics").GET().build()).body();
    return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
      .findFirst().orElse(0);
  }
}
