package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.inference.EmbedClient;
import io.ganglion.inference.EmbedRequest;
import io.ganglion.inference.onnx.TextKind;
import io.ganglion.retrieval.ingest.Chunk;
import io.ganglion.retrieval.ingest.Chunker;
import io.ganglion.retrieval.ingest.DocumentFormat;
import io.ganglion.retrieval.ingest.MalformedDocumentException;
import io.ganglion.retrieval.ingest.ParsedDocument;
import io.ganglion.retrieval.ingest.SentenceSpans;
import io.ganglion.retrieval.shard.ClusterCapacity;
import io.ganglion.retrieval.shard.Shards;
import io.ganglion.store.DocumentRepository;
import io.ganglion.store.KbRepository;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ingests a slice of documents: parse and chunk each on the retrieval workers, embed all their chunks (and, when the
 * knowledge base keeps them, each chunk's sentences) on this node through the model's bulk lane ({@link EmbedPermits}:
 * a bounded number of requests in flight per node, the rest wait), then store each document with its chunks,
 * embeddings, sentence vectors and injection marks ({@link IngestScreening}, alongside the embedding) in PostgreSQL, which logs the change. The shards' owners apply it when the change is
 * announced ({@link KbRegistry#announce}), for the whole slice at once. Each document succeeds or fails on its own: a
 * bad PDF or a model error fails that document with a reason, never the others. A busy model never fails a document
 * of a job: requests refused as overloaded, or that timed out in the queue, wait and go again.
 * <p>
 * A synchronous request carries its caller's deadline ({@link #ingest(KbRepository.Kb, List, long)}): once its
 * documents are chunked and their texts counted, it is admitted only if the ingestion path's backlog and its own texts
 * can be embedded before the deadline ({@link Admission#ingest}, else the whole request fails 5030 with nothing
 * stored), and its work is dropped, or stops retrying a busy model, when the deadline passes.
 */
public final class Ingestion {

  /** Texts per embedding request. */
  static final int EMBED_GROUP = 64;
  /** Deadline of one bulk embedding request (it waits behind interactive work and other ingestions). */
  static final long EMBED_TIMEOUT_MS = 120_000;
  /** Retries of an embedding request that failed for another reason than a busy model (a model error, shutting down). */
  static final int EMBED_RETRIES = 3;
  /** Longest pause between two attempts of a request refused because the model was busy. */
  static final long MAX_BACKOFF_MS = 5_000;

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

  /** A parsed document, its chunks and, per chunk, the sentences to embed (empty lists when the KB keeps none). */
  private record Prepared(DocumentInput input, ParsedDocument parsed, List<Chunk> chunks,
                          List<List<SentenceSpans.Span>> sentences) {

    int texts() {
      return chunks.size() + sentences.stream().mapToInt(List::size).sum();
    }
  }

  /**
   * What a slice did: one outcome per input, in order, and the shards it changed, each with the knowledge base's
   * version after its last change there (what the owners must reach).
   */
  public record Batch(List<Outcome> outcomes, Map<Integer, Long> changes) {
  }

  private final Vertx vertx;
  private final EmbedClient embeds;
  private final EmbedPermits permits;
  private final RetrievalWorkers workers;
  private final Chunker chunker;
  private final DocumentRepository documents;
  private final KbModels kbs;
  private final ClusterCapacity capacity;
  private final IngestScreening screening;
  private final Counter overloaded;

  public Ingestion(Vertx vertx, RetrievalWorkers workers, Chunker chunker, DocumentRepository documents,
                   KbModels kbs, ClusterCapacity capacity, EmbedPermits permits) {
    this.vertx = vertx;
    this.embeds = EmbedClient.create(vertx);
    this.permits = permits;
    this.workers = workers;
    this.chunker = chunker;
    this.documents = documents;
    this.kbs = kbs;
    this.capacity = capacity;
    this.screening = new IngestScreening(vertx);
    this.overloaded = Counter.builder("ganglion.retrieval.ingest.overloaded")
      .description("synchronous ingestions refused because the ingestion backlog could not be embedded before their deadline")
      .register(MeterRegistries.of(vertx));
  }

  /**
   * Ingests {@code inputs} (already validated) into the knowledge base and stores them, however long the model is
   * busy (a job's slice); announcing is the caller's.
   */
  public Future<Batch> ingest(KbRepository.Kb kb, List<DocumentInput> inputs) {
    return ingest(kb, inputs, Long.MAX_VALUE);
  }

  /**
   * {@link #ingest(KbRepository.Kb, List)} for a caller waiting until {@code deadlineMillis} (epoch ms;
   * {@code Long.MAX_VALUE}: none): fails 5030 with nothing stored when the documents' texts could not be embedded
   * behind the ingestion backlog before it.
   */
  public Future<Batch> ingest(KbRepository.Kb kb, List<DocumentInput> inputs, long deadlineMillis) {
    Map<Integer, Long> changes = new HashMap<>();
    return kbs.of(kb.id())
      .compose(embedding -> ingestInto(kb, embedding, inputs, changes, deadlineMillis))
      .map(outcomes -> new Batch(outcomes, changes));
  }

  /**
   * Refuses (5030) a request with a deadline that could not start its parsing, or embed {@code texts} more texts,
   * before it, at the retrieval pool's and the embedding backlog's recent speeds.
   */
  public void admit(int texts, long deadlineMillis) {
    if (deadlineMillis == Long.MAX_VALUE) {
      return;
    }
    long now = System.currentTimeMillis();
    permits.dropExpired(now);
    try {
      Admission.ingest(workers.expectedBulkWaitMillis() + permits.expectedWaitMillis(texts), deadlineMillis, now);
    } catch (RuntimeException refused) {
      overloaded.increment();
      throw refused;
    }
  }

  private Future<List<Outcome>> ingestInto(KbRepository.Kb kb, KbRepository.Embedding embedding,
                                           List<DocumentInput> inputs, Map<Integer, Long> changes,
                                           long deadlineMillis) {
    List<Future<Prepared>> prepared = inputs.stream()
      .map(input -> workers.runBulk(() -> prepare(input, embedding.sentenceVectors()), deadlineMillis)).toList();
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
      try {
        admit(ready.stream().mapToInt(Prepared::texts).sum(), deadlineMillis);
      } catch (RuntimeException refused) {
        return Future.failedFuture(refused);
      }
      Future<List<float[]>> vectors = embed(ready, embedding.model(), deadlineMillis);
      Future<List<JsonObject>> marks = screening.marks(
        ready.stream().flatMap(p -> p.chunks().stream().map(Chunk::text)).toList(), kb.tenant(), kb.name());
      return Future.join(vectors, marks)
        .transform(done -> store(kb, ready, vectors.result(), marks.result(), inputs, outcomes, changes));
    });
  }

  private Prepared prepare(DocumentInput input, boolean withSentences) throws MalformedDocumentException {
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
    List<Chunk> chunks = chunker.chunk(parsed);
    List<List<SentenceSpans.Span>> sentences = chunks.stream()
      .map(c -> withSentences ? SentenceSpans.split(c.text(), c.start()) : List.<SentenceSpans.Span>of()).toList();
    return new Prepared(input, parsed, chunks, sentences);
  }

  /**
   * The vectors of every document of {@code ready}, in order: per document its chunks' (of their indexed text), then
   * its sentences' (chunk by chunk). A failed group leaves nulls (its documents then fail).
   */
  private Future<List<float[]>> embed(List<Prepared> ready, String model, long deadlineMillis) {
    List<String> texts = new ArrayList<>();
    for (Prepared p : ready) {
      String title = title(p);
      p.chunks().forEach(c -> texts.add(c.indexedText(title)));
      p.sentences().forEach(spans -> spans.forEach(span -> texts.add(span.text())));
    }
    return embedTexts(texts, model, deadlineMillis);
  }

  /**
   * The passage vectors of {@code texts} by {@code model}, in order, through the bulk lane in groups of
   * {@value #EMBED_GROUP} under this node's permits (a busy model waits, other failures retry); a group that failed
   * leaves nulls.
   */
  Future<List<float[]>> embedTexts(List<String> texts, String model) {
    return embedTexts(texts, model, Long.MAX_VALUE);
  }

  private Future<List<float[]>> embedTexts(List<String> texts, String model, long deadlineMillis) {
    List<Future<List<float[]>>> groups = new ArrayList<>();
    for (int from = 0; from < texts.size(); from += EMBED_GROUP) {
      List<String> group = texts.subList(from, Math.min(texts.size(), from + EMBED_GROUP));
      EmbedRequest request = EmbedRequest.bulk(group, TextKind.PASSAGE, model);
      groups.add(permits.run(group.size(), deadlineMillis, () -> embedGroup(request, 0, 0, deadlineMillis)));
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

  /**
   * One bulk request, again after a pause while the model is busy (refused as overloaded, or timed out waiting in its
   * queue) however long that lasts, and at most {@value #EMBED_RETRIES} times after any other failure; never past
   * {@code deadlineMillis} (epoch ms; {@code Long.MAX_VALUE} for jobs, which wait as long as it takes).
   */
  private Future<List<float[]>> embedGroup(EmbedRequest request, int busy, int failed, long deadlineMillis) {
    long timeout = deadlineMillis == Long.MAX_VALUE ? EMBED_TIMEOUT_MS
      : Math.min(EMBED_TIMEOUT_MS, deadlineMillis - System.currentTimeMillis());
    if (timeout <= 0) {
      return Future.failedFuture(ErrorCode.TIMEOUT.exception("the request's deadline passed before its texts were embedded"));
    }
    return embeds.vectors(request, timeout)
      .recover(cause -> {
        // this node lacking the knowledge base's model is said as such (5031), and retried like any failure
        Throwable failure = kbs.notLoadedHere(cause, request.model());
        ErrorCode code = ErrorCode.of(failure);
        boolean modelBusy = code == ErrorCode.OVERLOADED || code == ErrorCode.TIMEOUT;
        if (!modelBusy && (failed >= EMBED_RETRIES || code.status() < 500)) {
          return Future.failedFuture(failure);
        }
        int attempt = modelBusy ? busy : failed;
        long pause = Math.min(MAX_BACKOFF_MS, 100L << Math.min(attempt, 6));
        if (deadlineMillis != Long.MAX_VALUE && System.currentTimeMillis() + pause >= deadlineMillis) {
          return Future.failedFuture(failure);
        }
        Promise<List<float[]>> retry = Promise.promise();
        vertx.setTimer(pause, t -> embedGroup(request, modelBusy ? busy + 1 : busy, modelBusy ? failed : failed + 1,
          deadlineMillis).onComplete(retry));
        return retry.future();
      });
  }

  private Future<List<Outcome>> store(KbRepository.Kb kb, List<Prepared> ready, List<float[]> vectors,
                                      List<JsonObject> marks, List<DocumentInput> inputs, Outcome[] outcomes,
                                      Map<Integer, Long> changes) {
    Future<Void> chain = Future.succeededFuture();
    int offset = 0;
    int chunks = 0;
    for (Prepared p : ready) {
      int first = offset;
      offset += p.texts();
      List<float[]> mine = vectors.subList(first, offset);
      List<JsonObject> myMarks = marks.subList(chunks, chunks + p.chunks().size());
      chunks += p.chunks().size();
      int slot = inputs.indexOf(p.input());
      chain = chain.compose(v -> storeOne(kb, p, mine, myMarks, changes)
        .map(outcome -> outcomes[slot] = outcome)
        .recover(e -> Future.succeededFuture(outcomes[slot] = failure(p.input().id(), e)))
        .mapEmpty());
    }
    return chain.map(v -> List.of(outcomes));
  }

  /**
   * Stores one document; {@code vectors} holds its chunks' vectors, then its sentences'; {@code marks} its chunks'
   * injection verdicts ({@code null}: none recorded).
   */
  private Future<Outcome> storeOne(KbRepository.Kb kb, Prepared p, List<float[]> vectors, List<JsonObject> marks,
                                   Map<Integer, Long> changes) {
    // asked again per document: a long request or job can fill a node after it was admitted
    int shard = Shards.shardOf(kb, p.input().id());
    var full = capacity.refusal(kb, List.of(shard));
    if (full.isPresent()) {
      return Future.succeededFuture(new Outcome(p.input().id(), 0, ErrorCode.CAPACITY, full.get()));
    }
    if (vectors.contains(null)) {
      return Future.succeededFuture(new Outcome(p.input().id(), 0, ErrorCode.UNAVAILABLE,
        "embedding the document failed (the model failed or is unavailable); retry it"));
    }
    String title = title(p);
    List<DocumentRepository.StoredChunk> rows = new ArrayList<>();
    List<DocumentRepository.ChunkSentences> sentences = new ArrayList<>();
    int next = p.chunks().size();
    for (int i = 0; i < p.chunks().size(); i++) {
      Chunk c = p.chunks().get(i);
      rows.add(new DocumentRepository.StoredChunk(p.input().id(), c.index(), title, c.text(), c.indexedText(title),
        c.start(), c.end(), p.input().metadataJson(), vectors.get(i), marks.get(i)));
      List<SentenceSpans.Span> spans = p.sentences().get(i);
      if (!spans.isEmpty()) {
        sentences.add(new DocumentRepository.ChunkSentences(c.index(),
          spans.stream().mapToInt(SentenceSpans.Span::start).toArray(),
          spans.stream().mapToInt(SentenceSpans.Span::end).toArray(), vectors.subList(next, next + spans.size())));
        next += spans.size();
      }
    }
    DocumentRepository.StoredDocument doc = new DocumentRepository.StoredDocument(p.input().id(), title,
      p.parsed().text(), p.input().metadataJson(), p.input().text() != null ? "text/plain" : p.input().contentType());
    return documents.replace(kb.id(), shard, doc, rows, sentences)
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
