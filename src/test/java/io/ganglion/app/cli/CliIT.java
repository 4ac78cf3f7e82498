package io.ganglion.app.cli;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The ganglion CLI, run from the packaged jar as a process against a real server")
class CliIT {

  private static TestServer server;
  private static String url;

  @BeforeAll
  static void start() {
    server = TestServer.shared();
    url = "http://127.0.0.1:" + server.ganglion().port();
  }

  @Test
  @DisplayName("creates, lists, shows and deletes a knowledge base, with text and --json output and exit 5 for a missing one")
  void knowledgeBases() throws Exception {
    Run created = cli("kb", "create", "cli-kbs");
    assertThat(created.code).isZero();
    assertThat(created.out).contains("created cli-kbs");

    Run listed = cli("kb", "list", "--json");
    assertThat(listed.code).isZero();
    assertThat(new JsonObject(listed.out).getJsonArray("kbs").stream()
      .map(kb -> ((JsonObject) kb).getString("name"))).contains("cli-kbs");

    Run shown = cli("kb", "get", "cli-kbs");
    assertThat(shown.out).startsWith("cli-kbs: 0 documents, 0 chunks");

    assertThat(cli("kb", "delete", "cli-kbs").code).isZero();
    Run missing = cli("kb", "get", "cli-kbs");
    assertThat(missing.code).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err).contains("no knowledge base named 'cli-kbs'").contains("HTTP 404 not_found");
  }

  @Test
  @DisplayName("ingests a directory recursively within the server's limits, through a job with progress, and summarises failures")
  void ingestDirectory(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertThat(cli("kb", "create", "cli-ingest").code).isZero();
    Random random = new Random(16);
    Files.createDirectories(dir.resolve("guides/deep"));
    for (int i = 0; i < 30; i++) {
      Files.writeString(dir.resolve("guides/deep/note-" + i + ".md"), "# Note " + i + "\n\nThe badger number " + i
        + " lives near the river and eats " + (i + 3) + " apples on Tuesdays.\n");
    }
    // over the test server's 256 KiB body limit once encoded: refused before it is sent
    StringBuilder big = new StringBuilder();
    while (big.length() < 200_000) {
      big.append("Word").append(random.nextInt(100_000)).append(' ');
    }
    Files.writeString(dir.resolve("huge.txt"), big);
    Files.writeString(dir.resolve("leave.txt"), "The vacation policy grants 25 days of paid leave per year.");
    Files.write(dir.resolve("broken.pdf"), "this is not a PDF".getBytes(StandardCharsets.UTF_8));
    Files.writeString(dir.resolve("image.bin"), "not a document type");

    Run run = cli("ingest", "cli-ingest", dir.toString());

    assertThat(run.code).as(run.err).isEqualTo(ExitCodes.PARTIAL);
    assertThat(run.out).contains("ingested 31 of 33 files into cli-ingest").contains("2 failed:")
      .contains("broken.pdf: unprocessable").contains("huge.txt: payload_too_large")
      .contains("skipped 1 files of unsupported types");
    assertThat(run.err).contains("33/33 files");
    JsonObject kb = TestServer.json(server.get("/v1/kbs/cli-ingest"));
    assertThat(kb.getInteger("documents")).isEqualTo(31);
    assertThat(TestServer.json(server.get("/v1/kbs/cli-ingest/documents/guides:deep:note-7.md")).getString("title"))
      .isEqualTo("note-7.md");
  }

  @Test
  @DisplayName("ask streams the answer, then lists its citations; search prints the passages")
  void askAndSearch(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertThat(cli("kb", "create", "cli-ask").code).isZero();
    Files.writeString(dir.resolve("leave.txt"), "The vacation policy grants 25 days of paid leave per year. "
      + "Employees request leave in the HR portal.");
    assertThat(cli("ingest", "cli-ask", dir.resolve("leave.txt").toString()).code).isZero();

    Run asked = cli("ask", "cli-ask", "How many days of paid leave do employees get?");
    assertThat(asked.code).as(asked.err).isZero();
    assertThat(asked.out).contains("25 days").contains("[1] leave.txt (leave.txt)").containsPattern("trace [0-9a-f-]{36}");

    Run json = cli("ask", "cli-ask", "How many days of paid leave do employees get?", "--json");
    assertThat(new JsonObject(json.out).getJsonArray("citations")).isNotEmpty();

    Run searched = cli("search", "cli-ask", "paid leave", "--k", "1");
    assertThat(searched.code).isZero();
    assertThat(searched.out).startsWith("1. leave.txt").contains("vacation policy");
  }

  @Test
  @DisplayName("creates, lists a page of, and revokes keys; a revoked key then exits 4")
  void keys() throws Exception {
    Run created = cli("keys", "create", "--tenant", "cli-tenant", "--scopes", "kb:read", "--json");
    assertThat(created.code).as(created.err).isZero();
    JsonObject key = new JsonObject(created.out);

    Run page = cli("keys", "list", "--tenant", "cli-tenant", "--limit", "1", "--json");
    assertThat(new JsonObject(page.out).getJsonArray("keys")).hasSize(1);

    assertThat(cli("kb", "list", "--key", key.getString("key")).code).isZero();
    assertThat(cli("keys", "revoke", key.getString("id")).out).contains("revoked " + key.getString("id"));
    Run refused = cli("kb", "list", "--key", key.getString("key"));
    assertThat(refused.code).isEqualTo(ExitCodes.UNAUTHORIZED);
    assertThat(refused.err).contains("HTTP 401");
  }

  @Test
  @DisplayName("webhooks create prints a generated secret once, list and deliveries show pages, delete removes it; a private URL exits 6")
  void webhooks() throws Exception {
    Run created = cli("webhooks", "create", "https://93.184.215.14/cli-hook", "--events", "job.completed,job.failed");
    assertThat(created.code).as(created.err).isZero();
    assertThat(created.out).contains("secret whsec_").contains("(shown only now)");
    String id = created.out.lines().filter(l -> l.startsWith("id ")).findFirst().orElseThrow().substring(3).strip();

    Run listed = cli("webhooks", "list", "--json");
    assertThat(listed.code).as(listed.err).isZero();
    assertThat(new JsonObject(listed.out).getJsonArray("webhooks").stream()
      .map(h -> ((JsonObject) h).getString("id"))).contains(id);
    assertThat(cli("webhooks", "list").out).contains(id).contains("job.completed,job.failed");
    Run deliveries = cli("webhooks", "deliveries", id);
    assertThat(deliveries.code).as(deliveries.err).isZero();
    assertThat(deliveries.out).contains("EVENT").contains("STATUS");

    Run refused = cli("webhooks", "create", "http://127.0.0.1:9/hook", "--events", "job.completed");
    assertThat(refused.code).isEqualTo(ExitCodes.REJECTED);
    assertThat(refused.err).contains("loopback");

    assertThat(cli("webhooks", "delete", id).out).contains("deleted " + id);
    assertThat(cli("webhooks", "delete", id).code).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  @DisplayName("cluster status shows a lone node with itself as the only member, and --json the server's report")
  void clusterStatus() throws Exception {
    Run status = cli("cluster", "status");
    Run json = cli("cluster", "status", "--json");

    assertThat(status.code).as(status.err).isZero();
    assertThat(status.out).containsPattern("^cluster (green|yellow): 1 member, quorum yes").contains("(not clustered)")
      .contains("MEMBER").contains("COPIES ACTIVE/OWNED");
    assertThat(new JsonObject(json.out).getJsonArray("members")).hasSize(1);
  }

  @Test
  @DisplayName("agent list shows the tenant's agents; agent run on a server without an LLM provider exits 6 saying why")
  void agents() throws Exception {
    assertThat(server.postJson("/v1/agents", "{\"name\":\"cli-agent\",\"description\":\"CLI test agent\","
      + "\"instructions\":\"Answer.\"}").statusCode()).isIn(201, 409);

    Run listed = cli("agent", "list");
    Run refused = cli("agent", "run", "cli-agent", "Say hello.");
    Run missing = cli("agent", "run", "cli-none", "Say hello.");

    assertThat(listed.code).as(listed.err).isZero();
    assertThat(listed.out).contains("NAME").contains("cli-agent").contains("CLI test agent");
    assertThat(refused.code).as(refused.out + refused.err).isEqualTo(ExitCodes.REJECTED);
    assertThat(refused.err).contains("provider");
    assertThat(missing.code).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  @DisplayName("exits 3 when the server cannot be reached, 2 on a bad command line, and 0 for --help of every command")
  void exitCodes() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Run unreachable = run(List.of("kb", "list", "--url", "http://127.0.0.1:" + closed), Map.of());
    assertThat(unreachable.code).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(unreachable.err).contains("cannot reach the server at http://127.0.0.1:" + closed);

    Run usage = run(List.of("kb", "create"), Map.of());
    assertThat(usage.code).isEqualTo(ExitCodes.USAGE);
    assertThat(usage.err).contains("Missing required parameter: 'NAME'");

    for (List<String> help : List.of(List.of("--help"), List.of("serve", "--help"), List.of("ingest", "--help"),
      List.of("keys", "create", "--help"), List.of("agent", "run", "--help"), List.of("webhooks", "create", "--help"))) {
      Run shown = run(help, Map.of());
      assertThat(shown.code).as(String.join(" ", help)).isZero();
      assertThat(shown.out).contains("Usage: ganglion");
    }
  }

  @Test
  @DisplayName("reads the key from GANGLION_CLI_KEY when --key is absent")
  void keyFromEnvironment() throws Exception {
    Run run = run(List.of("kb", "list", "--url", url), Map.of(Connection.KEY_ENV, server.adminKey()));
    assertThat(run.code).as(run.err).isZero();
    Run none = run(List.of("kb", "list", "--url", url), Map.of());
    assertThat(none.code).isEqualTo(ExitCodes.UNAUTHORIZED);
  }

  private static Run cli(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", url));
    if (!all.contains("--key")) {
      all.addAll(List.of("--key", server.adminKey()));
    }
    return run(all, Map.of());
  }

  static Run run(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
    CliProcess.Run run = CliProcess.run(args, env);
    return new Run(run.code(), run.out(), run.err());
  }

  record Run(int code, String out, String err) {
  }
}
