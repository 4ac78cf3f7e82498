package io.ganglion.app.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ganglion ingest KB FILE|DIR...}: uploads files (directories recursively) in batches that respect the server's
 * limits ({@code GET /v1/limits}: documents per request, body size, file size), follows each batch to its end — the
 * synchronous 200 or a 202 job, whose progress comes from the job's event stream — draws a progress bar on stderr and
 * ends with a summary of the files that failed and why. Exit code 7 when some failed.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
  description = "Upload files (directories recursively) into a knowledge base, with progress and a failure summary.")
final class IngestCommand extends ClientCommand {

  /** JSON framing of one document besides its base64 content (id, title, content type, quotes, commas). */
  private static final int DOCUMENT_OVERHEAD = 512;

  @Parameters(index = "0", paramLabel = "KB", description = "knowledge base")
  String kb;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "FILE|DIR", description = ".txt .md .html .pdf files or directories")
  List<Path> paths;

  @Override
  int run(ApiClient client) {
    List<SourceFile> files = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Path path : paths) {
      collect(path, files, skipped);
    }
    JsonObject limits = client.get("/v1/limits");
    Batches batches = new Batches(limits.getInteger("maxDocumentsPerRequest"),
      limits.getLong("bodyLimitBytes") - DOCUMENT_OVERHEAD, limits.getLong("maxFileBytes"));
    Map<String, String> failures = new LinkedHashMap<>();
    List<List<SourceFile>> plan = batches.plan(files, failures);
    Progress progress = new Progress(err(), files.size(), System.console() != null);
    progress.advance(failures.size());
    int chunks = 0;
    for (List<SourceFile> batch : plan) {
      chunks += upload(client, batch, failures, progress);
    }
    progress.finish();
    return summary(files.size(), chunks, failures, skipped);
  }

  private int upload(ApiClient client, List<SourceFile> batch, Map<String, String> failures, Progress progress) {
    JsonArray documents = new JsonArray();
    Map<String, SourceFile> byId = new LinkedHashMap<>();
    for (SourceFile file : batch) {
      byId.put(file.id(), file);
      documents.add(new JsonObject().put("id", file.id()).put("title", file.path().getFileName().toString())
        .put("contentType", file.contentType()).put("content", Base64.getEncoder().encodeToString(file.read())));
    }
    ApiClient.Reply reply = client.postForReply("/v1/kbs/" + ApiClient.encode(kb) + "/documents",
      new JsonObject().put("documents", documents));
    if (reply.status() == 202) {
      JsonObject job = reply.body().getJsonObject("job");
      record(reply.body().getJsonArray("rejected", new JsonArray()), byId, failures);
      int rejected = reply.body().getJsonArray("rejected", new JsonArray()).size();
      int before = progress.done();
      progress.advance(rejected);
      int base = progress.done();
      JsonObject[] last = {job};
      client.events("/v1/jobs/" + job.getString("id") + "/events", null, (event, data) -> {
        JsonObject state = new JsonObject(data);
        last[0] = state;
        progress.setDone(base + state.getInteger("done", 0) + state.getInteger("failed", 0));
      });
      JsonObject finished = client.get("/v1/jobs/" + job.getString("id"));
      record(finished.getJsonArray("errors", new JsonArray()), byId, failures);
      progress.setDone(before + batch.size());
      return finished.getInteger("chunks", last[0].getInteger("chunks", 0));
    }
    JsonArray results = reply.body().getJsonArray("documents", new JsonArray());
    record(results, byId, failures);
    progress.advance(batch.size());
    return results.stream().mapToInt(r -> ((JsonObject) r).getInteger("chunks", 0)).sum();
  }

  private static void record(JsonArray results, Map<String, SourceFile> byId, Map<String, String> failures) {
    for (Object item : results) {
      JsonObject result = (JsonObject) item;
      JsonObject error = result.getJsonObject("error");
      if (error != null || "failed".equals(result.getString("status"))) {
        SourceFile file = byId.get(result.getString("id"));
        String name = file == null ? String.valueOf(result.getString("id")) : file.path().toString();
        failures.put(name, error == null ? "failed" : error.getString("code") + ": " + error.getString("message"));
      }
    }
  }

  private int summary(int total, int chunks, Map<String, String> failures, List<String> skipped) {
    int indexed = total - failures.size();
    if (json()) {
      JsonArray failed = new JsonArray();
      failures.forEach((file, why) -> failed.add(new JsonObject().put("file", file).put("error", why)));
      printJson(new JsonObject().put("kb", kb).put("files", total).put("indexed", indexed).put("chunks", chunks)
        .put("failed", failed).put("skipped", new JsonArray(skipped)));
    } else {
      out().printf("ingested %d of %d files into %s (%d chunks)%n", indexed, total, kb, chunks);
      if (!skipped.isEmpty()) {
        out().printf("skipped %d files of unsupported types (.txt .md .markdown .html .htm .pdf are read)%n", skipped.size());
      }
      if (!failures.isEmpty()) {
        out().printf("%d failed:%n", failures.size());
        failures.forEach((file, why) -> out().printf("  %s: %s%n", file, why));
      }
      out().flush();
    }
    return failures.isEmpty() ? ExitCodes.OK : ExitCodes.PARTIAL;
  }

  private static void collect(Path path, List<SourceFile> files, List<String> skipped) {
    if (!Files.exists(path)) {
      throw new ApiException(ExitCodes.USAGE, "no such file or directory: " + path);
    }
    if (Files.isRegularFile(path)) {
      add(path, path.getFileName(), files, skipped);
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.filter(Files::isRegularFile).sorted().forEach(file -> add(file, path.relativize(file), files, skipped));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void add(Path file, Path relative, List<SourceFile> files, List<String> skipped) {
    String type = SourceFile.contentType(file);
    if (type == null) {
      skipped.add(file.toString());
    } else {
      files.add(new SourceFile(file, SourceFile.documentId(relative), type, sizeOf(file)));
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
