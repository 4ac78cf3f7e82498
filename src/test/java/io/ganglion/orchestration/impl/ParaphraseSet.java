package io.ganglion.orchestration.impl;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A paraphrase set of {@code src/test/resources/abstention/}: documents of one domain, questions they answer worded
 * unlike the passage that answers them, and off-topic questions they do not answer ({@code unrelated}: another
 * subject; {@code near}: the same domain, a topic the documents do not cover). {@code handbook} is the fit set,
 * {@code municipal} the report set, written separately and never fitted on.
 */
record ParaphraseSet(String name, List<Document> documents, List<Question> questions) {

  record Document(String id, String title, String text) {
  }

  /**
   * @param documentId the document that answers it; {@code null} for an off-topic question
   * @param kind       {@code answerable}, {@code unrelated} or {@code near}
   */
  record Question(String text, String documentId, String kind) {
    boolean answerable() {
      return documentId != null;
    }
  }

  static final String FIT = "handbook";
  static final String REPORT = "municipal";

  static ParaphraseSet load(String name) {
    try (InputStream in = ParaphraseSet.class.getResourceAsStream("/abstention/" + name + ".json")) {
      JsonObject json = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      List<Document> documents = new ArrayList<>();
      json.getJsonArray("documents").forEach(d -> {
        JsonObject doc = (JsonObject) d;
        documents.add(new Document(doc.getString("id"), doc.getString("title"), doc.getString("text")));
      });
      List<Question> questions = new ArrayList<>();
      json.getJsonArray("answerable").forEach(q -> questions.add(
        new Question(((JsonObject) q).getString("question"), ((JsonObject) q).getString("documentId"), "answerable")));
      json.getJsonArray("offTopic").forEach(q -> questions.add(
        new Question(((JsonObject) q).getString("question"), null, ((JsonObject) q).getString("kind"))));
      return new ParaphraseSet(name, List.copyOf(documents), List.copyOf(questions));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
