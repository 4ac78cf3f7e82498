package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.retrieval.ingest.SentenceSpans;
import io.ganglion.retrieval.shard.Shards;
import io.ganglion.store.DocumentRepository;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies documents from one knowledge base into another with their stored chunks (text, offsets, metadata: nothing is
 * parsed or chunked again), re-embedding chunks and, when the target keeps them, sentences with a model through the
 * bulk lane ({@link Ingestion#embedTexts}), then announces the changes to the target's shard owners. The step of a
 * model change ({@link ModelChanges}) that fills the shadow and replays the old knowledge base's log into it.
 * <p>
 * <b>NOTE</b>: call on the retrieval verticle's context.
 */
final class ShadowCopy {

  private final DocumentRepository documents;
  private final KbModels models;
  private final Ingestion ingestion;
  private final KbRegistry registry;

  ShadowCopy(DocumentRepository documents, KbModels models, Ingestion ingestion, KbRegistry registry) {
    this.documents = documents;
    this.models = models;
    this.ingestion = ingestion;
    this.registry = registry;
  }

  /**
   * Copies these documents' current state from {@code from} to {@code to}, re-embedded with the target model: a
   * document {@code to} holds a newer write of is left alone, one gone from {@code from} is deleted from {@code to}
   * if {@code to}'s copy is older than the deletion ({@code deletedAt}); announces the change to {@code to}'s owners.
   */
  Future<Integer> copy(KbRepository.Kb from, KbRepository.Kb to, List<String> ids,
                       Map<String, OffsetDateTime> deletedAt, String model) {
    return Future.all(documents.dated(from.id(), ids), documents.updatedAt(to.id(), ids), models.of(to.id()))
      .compose(all -> {
        List<DocumentRepository.DatedDocument> sources = all.resultAt(0);
        Map<String, OffsetDateTime> existing = all.resultAt(1);
        KbRepository.Embedding embedding = all.resultAt(2);
        Map<String, DocumentRepository.StoredDocument> copying = new LinkedHashMap<>();
        for (DocumentRepository.DatedDocument d : sources) {
          OffsetDateTime theirs = existing.get(d.document().id());
          if (theirs == null || theirs.isBefore(d.updatedAt())) {
            copying.put(d.document().id(), d.document());
          }
        }
        List<String> deleting = new ArrayList<>();
        for (String id : ids) {
          boolean gone = sources.stream().noneMatch(d -> d.document().id().equals(id));
          OffsetDateTime theirs = existing.get(id);
          OffsetDateTime when = deletedAt.get(id);
          if (gone && theirs != null && when != null && theirs.isBefore(when)) {
            deleting.add(id);
          }
        }
        int[] chunks = {0};
        return copyDocuments(from, to, copying, embedding.sentenceVectors(), model, chunks)
          .compose(changes -> deleteDocuments(to, deleting, changes))
          .compose(changes -> changes.isEmpty() ? Future.<Void>succeededFuture() : registry.announce(to, changes))
          .map(v -> chunks[0]);
      });
  }

  private Future<Map<Integer, Long>> copyDocuments(KbRepository.Kb from, KbRepository.Kb to,
                                                  Map<String, DocumentRepository.StoredDocument> copying,
                                                  boolean withSentences, String model, int[] chunks) {
    Map<Integer, Long> changes = new HashMap<>();
    if (copying.isEmpty()) {
      return Future.succeededFuture(changes);
    }
    return documents.documentChunks(from.id(), new ArrayList<>(copying.keySet())).compose(stored -> {
      Map<String, List<DocumentRepository.StoredChunk>> byDocument = new LinkedHashMap<>();
      copying.keySet().forEach(id -> byDocument.put(id, new ArrayList<>()));
      stored.forEach(c -> byDocument.computeIfAbsent(c.documentId(), k -> new ArrayList<>()).add(c));
      // per document: its chunks' indexed texts, then its chunks' sentences, as ingestion embeds them
      List<String> texts = new ArrayList<>();
      Map<String, List<List<SentenceSpans.Span>>> spans = new HashMap<>();
      byDocument.forEach((id, list) -> {
        list.forEach(c -> texts.add(c.indexedText()));
        List<List<SentenceSpans.Span>> perChunk = list.stream()
          .map(c -> withSentences ? SentenceSpans.split(c.text(), c.start()) : List.<SentenceSpans.Span>of()).toList();
        perChunk.forEach(s -> s.forEach(span -> texts.add(span.text())));
        spans.put(id, perChunk);
      });
      return ingestion.embedTexts(texts, model).compose(vectors -> {
        if (vectors.contains(null)) {
          return Future.failedFuture(ErrorCode.UNAVAILABLE.exception("re-embedding with " + model
            + " failed (the model failed or is unavailable)"));
        }
        Future<Void> chain = Future.succeededFuture();
        int offset = 0;
        for (Map.Entry<String, List<DocumentRepository.StoredChunk>> e : byDocument.entrySet()) {
          List<DocumentRepository.StoredChunk> list = e.getValue();
          List<List<SentenceSpans.Span>> perChunk = spans.get(e.getKey());
          List<DocumentRepository.StoredChunk> rows = new ArrayList<>();
          for (int i = 0; i < list.size(); i++) {
            DocumentRepository.StoredChunk c = list.get(i);
            rows.add(new DocumentRepository.StoredChunk(c.documentId(), c.index(), c.title(), c.text(),
              c.indexedText(), c.start(), c.end(), c.metadata(), vectors.get(offset + i), c.injection()));
          }
          int next = offset + list.size();
          List<DocumentRepository.ChunkSentences> sentences = new ArrayList<>();
          for (int i = 0; i < perChunk.size(); i++) {
            List<SentenceSpans.Span> s = perChunk.get(i);
            if (!s.isEmpty()) {
              sentences.add(new DocumentRepository.ChunkSentences(list.get(i).index(),
                s.stream().mapToInt(SentenceSpans.Span::start).toArray(),
                s.stream().mapToInt(SentenceSpans.Span::end).toArray(), vectors.subList(next, next + s.size())));
              next += s.size();
            }
          }
          offset = next;
          DocumentRepository.StoredDocument doc = copying.get(e.getKey());
          int shard = Shards.shardOf(to, doc.id());
          chain = chain.compose(v -> documents.replace(to.id(), shard, doc, rows, sentences).map(version -> {
            changes.merge(shard, version, Math::max);
            chunks[0] += rows.size();
            return null;
          }));
        }
        return chain.map(v -> changes);
      });
    });
  }

  private Future<Map<Integer, Long>> deleteDocuments(KbRepository.Kb to, List<String> ids, Map<Integer, Long> changes) {
    Future<Void> chain = Future.succeededFuture();
    for (String id : ids) {
      int shard = Shards.shardOf(to, id);
      chain = chain.compose(v -> documents.delete(to.id(), shard, id)
        .map(version -> {
          version.ifPresent(n -> changes.merge(shard, n, Math::max));
          return null;
        }));
    }
    return chain.map(v -> changes);
  }
}
