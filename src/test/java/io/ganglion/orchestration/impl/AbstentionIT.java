package io.ganglion.orchestration.impl;

import io.ganglion.TestServer;
import io.ganglion.orchestration.OrchestrationConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The report paraphrase set (never fitted on) asked through a real server: ingested over {@code POST
 * /v1/kbs/{kb}/documents}, every question asked over {@code POST /v1/kbs/{kb}/ask} with the response cache off, first
 * one at a time (each question embedded alone) and then eight at a time (the inference verticle batches concurrent
 * questions together). {@link AbstentionTest} pins the same decisions in process, with the batch under its control.
 */
@DisplayName("Abstention of the extractive generator through the ask API")
class AbstentionIT {

  private static final String KB = "abstention-report";
  private static final double CUT = OrchestrationConfig.from(new JsonObject()).minConfidence();

  private static TestServer server;
  private static ParaphraseSet set;
  private static final List<Answer> alone = new ArrayList<>();
  private static final List<Answer> together = new ArrayList<>();

  /** One ask's outcome, with the generate step's confidence from its trace. */
  record Answer(ParaphraseSet.Question question, boolean abstained, List<String> cited, double confidence,
                JsonObject context) {
    /** The documents whose passages the indirect-injection screen withheld from the generator. */
    List<String> withheld() {
      return context.getJsonArray("withheld", new JsonArray()).stream()
        .map(w -> ((JsonObject) w).getString("documentId")).toList();
    }

    double logit() {
      return Math.log(confidence / (1 - confidence));
    }
  }

  @BeforeAll
  static void askEverything() throws Exception {
    server = TestServer.shared();
    set = ParaphraseSet.load(ParaphraseSet.REPORT);
    int created = server.postJson("/v1/kbs", new JsonObject().put("name", KB).encode()).statusCode();
    assertThat(created).isIn(201, 409);
    JsonArray documents = new JsonArray();
    set.documents().forEach(d -> documents.add(new JsonObject().put("id", d.id()).put("title", d.title())
      .put("text", d.text())));
    HttpResponse<String> ingested = server.postJson("/v1/kbs/" + KB + "/documents",
      new JsonObject().put("documents", documents).encode());
    assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);

    for (ParaphraseSet.Question q : set.questions()) {
      alone.add(ask(q));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Answer>> pending = new ArrayList<>();
      for (ParaphraseSet.Question q : set.questions()) {
        pending.add(pool.submit(() -> ask(q)));
      }
      for (Future<Answer> f : pending) {
        together.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Answer ask(ParaphraseSet.Question q) {
    HttpResponse<String> response = server.send(server.authed("/v1/kbs/" + KB + "/ask")
      .header("Content-Type", "application/json").header("Cache-Control", "no-cache")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("question", q.text()).encode())).build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject answer = TestServer.json(response);
    JsonArray citations = answer.getJsonArray("citations");
    List<String> cited = citations.stream().map(c -> ((JsonObject) c).getString("documentId")).toList();
    AtomicReference<JsonObject> generate = new AtomicReference<>();
    AtomicReference<JsonObject> context = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      HttpResponse<String> trace = server.get("/v1/traces/" + answer.getString("traceId"));
      if (trace.statusCode() != 200) {
        return false;
      }
      for (Object step : TestServer.json(trace).getJsonArray("steps")) {
        if ("generate".equals(((JsonObject) step).getString("name"))) {
          generate.set((JsonObject) step);
        } else if ("context".equals(((JsonObject) step).getString("name"))) {
          context.set((JsonObject) step);
        }
      }
      return generate.get() != null;
    });
    Double confidence = generate.get().getDouble("confidence");
    return new Answer(q, answer.getBoolean("abstained"), cited, confidence == null ? Double.NaN : confidence,
      context.get());
  }

  private static List<Answer> of(Predicate<ParaphraseSet.Question> which) {
    return alone.stream().filter(a -> which.test(a.question())).toList();
  }

  @Test
  @DisplayName("it answers at least 90% of the report set's paraphrased questions, nine in ten of them citing the "
    + "answering document where the injection screen let it through")
  void answersParaphrases() {
    List<Answer> answerable = of(ParaphraseSet.Question::answerable);
    List<Answer> answered = answerable.stream().filter(a -> !a.abstained()).toList();
    // a passage the indirect-injection screen withholds never reaches the generator, whatever abstention decides
    List<Answer> screened = answered.stream().filter(a -> !a.withheld().contains(a.question().documentId())).toList();
    long right = screened.stream().filter(a -> a.cited().contains(a.question().documentId())).count();
    answered.stream().filter(a -> !a.cited().contains(a.question().documentId())).forEach(a -> System.out.printf(
      Locale.ROOT, "  cites %s, not %s%s: %s%n", a.cited(), a.question().documentId(),
      a.withheld().contains(a.question().documentId()) ? " (withheld by the injection screen)" : "", a.question().text()));
    System.out.printf(Locale.ROOT, "abstention through the API: %d of %d paraphrases answered; of the %d whose "
      + "document was not withheld, %d cite it%n", answered.size(), answerable.size(), screened.size(), right);
    assertThat(answered.size()).isGreaterThanOrEqualTo((int) Math.ceil(AbstentionTest.ANSWERED * answerable.size()));
    assertThat(right).isGreaterThanOrEqualTo((long) Math.ceil(0.9 * screened.size()));
  }

  @Test
  @DisplayName("it abstains on at least 95% of the report set's questions on other subjects, without citations")
  void abstainsOffTopic() {
    List<Answer> unrelated = of(q -> "unrelated".equals(q.kind()));
    List<Answer> abstained = unrelated.stream().filter(Answer::abstained).toList();
    System.out.printf(Locale.ROOT, "abstention through the API: abstains on %d of %d unrelated, %d of %d uncovered "
        + "topics%n", abstained.size(), unrelated.size(),
      of(q -> "near".equals(q.kind())).stream().filter(Answer::abstained).count(), of(q -> "near".equals(q.kind())).size());
    assertThat(abstained.size()).isGreaterThanOrEqualTo((int) Math.ceil(AbstentionTest.ABSTAINED * unrelated.size()));
    assertThat(abstained).allSatisfy(a -> assertThat(a.cited()).isEmpty());
  }

  @Test
  @DisplayName("the decision is the abstention model's confidence against minConfidence, and asked eight at a time "
    + "a question decided with a margin gets the same decision")
  void sameDecisionConcurrently() {
    double cut = Math.log(CUT / (1 - CUT));
    int near = 0;
    for (int i = 0; i < alone.size(); i++) {
      Answer first = alone.get(i);
      Answer again = together.get(i);
      assertThat(first.abstained()).as("%s: confidence %.3f", first.question().text(), first.confidence())
        .isEqualTo(!(first.confidence() >= CUT));
      if (Math.abs(first.logit() - cut) > AbstentionTest.JITTER) {
        assertThat(again.abstained()).as("%s: confidence %.3f alone, %.3f concurrently", first.question().text(),
          first.confidence(), again.confidence()).isEqualTo(first.abstained());
      } else {
        near++;
      }
    }
    assertThat(near).as("questions without a margin").isLessThan(alone.size() / 5);
  }
}
