package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.inference.EmbedClient;
import io.ganglion.inference.onnx.TextKind;
import io.ganglion.retrieval.ingest.Chunk;
import io.ganglion.retrieval.ingest.Chunker;
import io.ganglion.retrieval.ingest.DocumentFormat;
import io.ganglion.retrieval.ingest.MalformedDocumentException;
import io.ganglion.retrieval.ingest.ParsedDocument;
import io.ganglion.retrieval.shard.Shards;
import io.ganglion.store.DocumentRepository;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ingests a slice of documents: parse and chunk each on the retrieval workers, embed all their chunks through
 * {@code ganglion.inference.embed} on this node (several requests in flight, so the micro-batcher fills its batches),
 * then store each document with its chunks and embeddings in PostgreSQL, which logs the change. The shards' owners
 * apply it when the change is announced ({@link KbRegistry#announce}), for the whole slice at once. Each document
 * succeeds or fails on its own: a bad PDF or an overloaded model fails that document with a reason, never the others.
 */
public final class Ingestion {

  /** Chunks per embedding request. */
  static final int EMBED_GROUP = 64;
  /** Deadline of one embedding request of a bulk ingestion (queues can be long under load). */
  static final long EMBED_TIMEOUT_MS = 120_000;
  /** Retries of an embedding request refused because the model's queue was full. */
  static final int EMBED_RETRIES = 4;

  /** The outcome of one document: {@code {"id","status":"indexed"|"failed","chunks"?,"error"?:{code,message}}}. */
  public record Outcome(String id, int chunks, ErrorCode error, String message) {

    public boolean ok() {
      return error == null;
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("id", id).put("status", ok() ? "indexed" : "failed");
      if (ok()) {
        json.put("chunks", chunks);
      } else {
        json.put("error", new JsonObject().put("code", error.slug()).put("message", message));
      }
      return json;
    }
  }

  private record Prepared(DocumentInput input, ParsedDocument parsed, List<Chunk> chunks) {
  }

  /**
   * What a slice did: one outcome per input, in order, and the shards it changed, each with the knowledge base's
   * version after its last change there (what the owners must reach).
   */
  public record Batch(List<Outcome> outcomes, Map<Integer, Long> changes) {
  }

  private final Vertx vertx;
  private final EmbedClient embeds;
  private final RetrievalWorkers workers;
  private final Chunker chunker;
  private final DocumentRepository documents;

  public Ingestion(Vertx vertx, RetrievalWorkers workers, Chunker chunker, DocumentRepository documents) {
    this.vertx = vertx;
    this.embeds = EmbedClient.create(vertx);
    this.workers = workers;
    this.chunker = chunker;
    this.documents = documents;
  }

  /** Ingests {@code inputs} (already validated) into the knowledge base and stores them; announcing is the caller's. */
  public Future<Batch> ingest(KbRepository.Kb kb, List<DocumentInput> inputs) {
    Map<Integer, Long> changes = new HashMap<>();
    return ingestInto(kb, inputs, changes).map(outcomes -> new Batch(outcomes, changes));
  }

  private Future<List<Outcome>> ingestInto(KbRepository.Kb kb, List<DocumentInput> inputs, Map<Integer, Long> changes) {
    List<Future<Prepared>> prepared = inputs.stream().map(input -> workers.run(() -> prepare(input))).toList();
    return Future.join(prepared).transform(ignored -> {
      List<Prepared> ready = new ArrayList<>();
      Outcome[] outcomes = new Outcome[inputs.size()];
      for (int i = 0; i < inputs.size(); i++) {
        Future<Prepared> p = prepared.get(i);
        if (p.succeeded()) {
          ready.add(p.result());
        } else {
          outcomes[i] = failure(inputs.get(i).id(), p.cause());
        }
      }
      return embed(ready).compose(vectors -> store(kb, ready, vectors, inputs, outcomes, changes));
    });
  }

  private Prepared prepare(DocumentInput input) throws MalformedDocumentException {
    ParsedDocument parsed;
    if (input.text() != null) {
      parsed = DocumentFormat.TEXT.parser().parse(input.text());
    } else {
      DocumentFormat format = DocumentFormat.of(input.contentType()).orElseThrow(() ->
        ErrorCode.UNSUPPORTED_MEDIA_TYPE.exception("unsupported content type '" + input.contentType()
          + "': use text/plain, text/markdown, text/html or application/pdf"));
      parsed = format.parser().parse(input.content());
    }
    if (parsed.text().isBlank()) {
      throw ErrorCode.UNPROCESSABLE.exception("the document has no text");
    }
    return new Prepared(input, parsed, chunker.chunk(parsed));
  }

  /** One vector per chunk of {@code ready}, in order; a failed group leaves nulls (its documents then fail). */
  private Future<List<float[]>> embed(List<Prepared> ready) {
    List<String> texts = new ArrayList<>();
    for (Prepared p : ready) {
      String title = title(p);
      p.chunks().forEach(c -> texts.add(c.indexedText(title)));
    }
    List<Future<List<float[]>>> groups = new ArrayList<>();
    for (int from = 0; from < texts.size(); from += EMBED_GROUP) {
      groups.add(embedGroup(texts.subList(from, Math.min(texts.size(), from + EMBED_GROUP)), 0));
    }
    return Future.join(groups).transform(ignored -> {
      List<float[]> vectors = new ArrayList<>(texts.size());
      for (int g = 0; g < groups.size(); g++) {
        int size = Math.min(EMBED_GROUP, texts.size() - g * EMBED_GROUP);
        Future<List<float[]>> group = groups.get(g);
        for (int i = 0; i < size; i++) {
          vectors.add(group.succeeded() ? group.result().get(i) : null);
        }
      }
      return Future.succeededFuture(vectors);
    });
  }

  private Future<List<float[]>> embedGroup(List<String> texts, int attempt) {
    return embeds.vectors(texts, TextKind.PASSAGE, EMBED_TIMEOUT_MS)
      .recover(failure -> {
        if (attempt < EMBED_RETRIES && ErrorCode.of(failure) == ErrorCode.OVERLOADED) {
          Promise<List<float[]>> retry = Promise.promise();
          vertx.setTimer(200L << attempt, t -> embedGroup(texts, attempt + 1).onComplete(retry));
          return retry.future();
        }
        return Future.failedFuture(failure);
      });
  }

  private Future<List<Outcome>> store(KbRepository.Kb kb, List<Prepared> ready, List<float[]> vectors,
                                      List<DocumentInput> inputs, Outcome[] outcomes, Map<Integer, Long> changes) {
    Future<Void> chain = Future.succeededFuture();
    int offset = 0;
    for (Prepared p : ready) {
      int first = offset;
      offset += p.chunks().size();
      List<float[]> mine = vectors.subList(first, offset);
      int slot = inputs.indexOf(p.input());
      chain = chain.compose(v -> storeOne(kb, p, mine, changes)
        .map(outcome -> outcomes[slot] = outcome)
        .recover(e -> Future.succeededFuture(outcomes[slot] = failure(p.input().id(), e)))
        .mapEmpty());
    }
    return chain.map(v -> List.of(outcomes));
  }

  private Future<Outcome> storeOne(KbRepository.Kb kb, Prepared p, List<float[]> vectors, Map<Integer, Long> changes) {
    if (vectors.contains(null)) {
      return Future.succeededFuture(new Outcome(p.input().id(), 0, ErrorCode.OVERLOADED,
        "embedding the document failed (the model was overloaded or unavailable); retry it"));
    }
    String title = title(p);
    List<DocumentRepository.StoredChunk> rows = new ArrayList<>();
    for (int i = 0; i < p.chunks().size(); i++) {
      Chunk c = p.chunks().get(i);
      rows.add(new DocumentRepository.StoredChunk(p.input().id(), c.index(), title, c.text(), c.indexedText(title),
        c.start(), c.end(), p.input().metadataJson(), vectors.get(i)));
    }
    DocumentRepository.StoredDocument doc = new DocumentRepository.StoredDocument(p.input().id(), title,
      p.parsed().text(), p.input().metadataJson(), p.input().text() != null ? "text/plain" : p.input().contentType());
    int shard = Shards.shardOf(kb, p.input().id());
    return documents.replace(kb.id(), shard, doc, rows)
      .map(version -> {
        changes.merge(shard, version, Math::max);
        return new Outcome(p.input().id(), rows.size(), null, null);
      });
  }

  private static String title(Prepared p) {
    return p.input().title() != null ? p.input().title() : p.parsed().title();
  }

  /** A document's failure by the one table; what it cannot name (a store error) is "could not store", 5031. */
  private static Outcome failure(String id, Throwable cause) {
    ErrorCode code = ErrorCode.of(cause);
    if (code == ErrorCode.INTERNAL) {
      return new Outcome(id, 0, ErrorCode.UNAVAILABLE, "could not store the document: " + ErrorCode.unwrap(cause).getMessage());
    }
    return new Outcome(id, 0, code, ErrorCode.unwrap(cause).getMessage());
  }
}
