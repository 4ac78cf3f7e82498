package io.ganglion.orchestration;

import io.ganglion.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Sentence vectors stored at ingestion")
class SentenceVectorsIT {

  static final String KB = "sentence-vectors";
  static final String PLAIN_KB = "no-sentence-vectors";
  static TestServer server;

  static final String HANDBOOK = """
    Parking policy

    Employees may park in the north garage from 7 am. Visitors park on level two of the south garage.

    Bicycles are stored in the locked room beside the main entrance. Electric cars charge on level one for free.""";

  @BeforeAll
  static void start() {
    server = TestServer.shared();
    create(KB, true);
    create(PLAIN_KB, false);
  }

  private static void create(String kb, boolean sentences) {
    assertThat(server.postJson("/v1/kbs", new JsonObject().put("name", kb).put("sentenceVectors", sentences).encode())
      .statusCode()).isEqualTo(201);
    JsonObject docs = new JsonObject().put("documents", new JsonArray().add(new JsonObject()
      .put("id", "parking").put("title", "Parking policy").put("text", HANDBOOK)));
    assertThat(server.postJson("/v1/kbs/" + kb + "/documents", docs.encode()).statusCode()).isEqualTo(200);
  }

  static JsonObject ask(String kb, String question) {
    HttpResponse<String> response = server.send(server.authed("/v1/kbs/" + kb + "/ask")
      .header("Content-Type", "application/json").header("Cache-Control", "no-cache")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("question", question).encode())).build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return TestServer.json(response);
  }

  /** Inputs the embedding models have run so far, over every model and lane. */
  static double embedded() {
    String metrics = server.send(server.request("/metrics").GET().build()).body();
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("ganglion_inference_items_total{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Test
  @DisplayName("an ask over stored sentence vectors embeds only its question, and answers from the stored sentences")
  void embedsOnlyTheQuestion() {
    double before = embedded();
    JsonObject answer = ask(KB, "Where do visitors park their cars?");
    double after = embedded();

    assertThat(answer.getBoolean("abstained")).isFalse();
    assertThat(answer.getString("answer")).contains("level two of the south garage");
    assertThat(after - before).as("inputs embedded by the ask").isEqualTo(1);
  }

  @Test
  @DisplayName("a knowledge base created without sentence vectors gives the same answer, embedding its sentences per ask")
  void sameAnswerWithout() {
    String question = "Where are bicycles stored during the day?";
    JsonObject stored = ask(KB, question);
    double before = embedded();
    JsonObject embedded = ask(PLAIN_KB, question);
    double after = embedded();

    // The int8 model quantises activations per batch, so a sentence embedded at ingestion (in a batch of chunks) and
    // the same sentence embedded per ask differ in the last digits: sentences near the selection floor may come or go,
    // the best one may not.
    String best = "Bicycles are stored in the locked room beside the main entrance";
    assertThat(quotes(stored)).anyMatch(q -> q.startsWith(best));
    assertThat(quotes(embedded)).anyMatch(q -> q.startsWith(best));
    assertThat(embedded.getBoolean("abstained")).isFalse();
    assertThat(after - before).as("the question and the candidate sentences").isGreaterThan(1);
  }

  private static List<String> quotes(JsonObject answer) {
    return answer.getJsonArray("citations").stream().map(c -> ((JsonObject) c).getString("quote")).toList();
  }

  @Test
  @DisplayName("GET /v1/kbs/{kb} shows the embedding model the knowledge base records, and whether it stores sentences")
  void recordsItsModel() {
    JsonObject kb = TestServer.json(server.get("/v1/kbs/" + KB));
    assertThat(kb.getJsonObject("embedding").getString("model")).isEqualTo("bge-small-en-v1.5@1");
    assertThat(kb.getJsonObject("embedding").getInteger("dims")).isEqualTo(384);
    assertThat(kb.getJsonObject("embedding").getBoolean("sentenceVectors")).isTrue();
    assertThat(TestServer.json(server.get("/v1/kbs/" + PLAIN_KB)).getJsonObject("embedding")
      .getBoolean("sentenceVectors")).isFalse();
  }
}
