package io.ganglion.orchestration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small fixed corpus: a staff handbook, chunked by paragraph with exact document offsets. */
public final class TestCorpus {

  /** A chunk: {@code text == DOCUMENTS.get(documentId).substring(start, end)}. */
  public record Chunk(String documentId, String chunkId, String title, String text, int start, int end) {
  }

  public static final String KB = "handbook";

  /** documentId → title and text. */
  public static final Map<String, String[]> DOCUMENTS = Map.of(
    "doc-vacation", new String[]{"Vacation policy", """
      Vacation policy

      Employees receive 25 days of paid vacation per calendar year. Vacation requests are approved by the team lead.

      Unused vacation days can be carried over until March 31 of the following year. Contractors are not eligible \
      for paid vacation but may take unpaid leave."""},
    "doc-expenses", new String[]{"Expense reimbursement", """
      Expense reimbursement

      Travel expenses are reimbursed within 14 days of submitting a receipt. Meals during business travel are covered \
      up to 60 euros per day.

      Receipts must be uploaded to the finance portal. Taxi rides are reimbursed only after 10 pm."""},
    "doc-security", new String[]{"Laptop security", """
      Laptop security

      All laptops must use full-disk encryption. Lost or stolen laptops must be reported to the security team within \
      24 hours.

      Passwords must be at least 14 characters long and are rotated every year."""},
    "doc-onboarding", new String[]{"Onboarding", """
      Onboarding

      New employees receive their laptop on the first day. The onboarding buddy program pairs each new hire with a \
      colleague for three months."""});

  private static final java.util.Set<Object> INGESTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private TestCorpus() {
  }

  /** Creates KB {@value #KB} on {@code server} and ingests the corpus through the real API, once per server. */
  public static synchronized void ingest(io.ganglion.TestServer server) {
    if (!INGESTED.add(server)) {
      return;
    }
    int created = server.postJson("/v1/kbs", "{\"name\":\"" + KB + "\"}").statusCode();
    if (created != 201 && created != 409) {
      throw new IllegalStateException("cannot create KB " + KB + ": " + created);
    }
    io.vertx.core.json.JsonArray docs = new io.vertx.core.json.JsonArray();
    DOCUMENTS.forEach((id, doc) -> docs.add(new io.vertx.core.json.JsonObject().put("id", id).put("title", doc[0]).put("text", doc[1])));
    var response = server.postJson("/v1/kbs/" + KB + "/documents", new io.vertx.core.json.JsonObject().put("documents", docs).encode());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("cannot ingest the test corpus: " + response.statusCode() + " " + response.body());
    }
  }

  public static List<Chunk> chunks() {
    List<Chunk> chunks = new ArrayList<>();
    DOCUMENTS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(doc -> {
      String text = doc.getValue()[1];
      int start = 0;
      int n = 0;
      while (start < text.length()) {
        int end = text.indexOf("\n\n", start);
        end = end < 0 ? text.length() : end;
        if (end > start) {
          chunks.add(new Chunk(doc.getKey(), doc.getKey() + "#" + n++, doc.getValue()[0], text.substring(start, end), start, end));
        }
        start = end + 2;
      }
    });
    return chunks;
  }
}
