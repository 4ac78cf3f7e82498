package io.ganglion.retrieval;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.Status;
import io.ganglion.config.GanglionConfig;
import io.ganglion.config.InferenceConfig;
import io.ganglion.config.RetrievalConfig;
import io.ganglion.inference.onnx.ModelSpec;
import io.ganglion.retrieval.impl.DocumentInput;
import io.ganglion.retrieval.impl.IngestJobs;
import io.ganglion.retrieval.impl.Ingestion;
import io.ganglion.retrieval.impl.KbIndexes;
import io.ganglion.retrieval.impl.RetrievalWorkers;
import io.ganglion.retrieval.impl.Searcher;
import io.ganglion.retrieval.impl.TokenizerCounter;
import io.ganglion.retrieval.ingest.Chunker;
import io.ganglion.store.DocumentRepository;
import io.ganglion.store.JobRepository;
import io.ganglion.store.KbRepository;
import io.ganglion.store.StoreCache;
import io.ganglion.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Retrieval: knowledge bases, ingestion, indexes and search. PostgreSQL holds documents, chunks and embeddings; the
 * Lucene BM25 and JVector indexes are derived from it, per knowledge base, in shards. Bus handlers run on this
 * verticle's event loop (validation, SQL); parsing, chunking and index work run on {@link RetrievalWorkers}. See
 * verticles.md for the addresses.
 */
public final class RetrievalVerticle extends VerticleBase {

  /** Knowledge-base names: lower-case letters, digits, '_' and '-', starting with a letter or digit, 1–63 long. */
  public static final Pattern KB_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  /** How often changed indexes are snapshotted. */
  static final long SNAPSHOT_INTERVAL_MS = 30_000;

  private Pool postgres;
  private KbRepository kbs;
  private DocumentRepository documents;
  private JobRepository jobs;
  private RetrievalConfig config;
  private RetrievalWorkers workers;
  private TokenizerCounter tokens;
  private KbIndexes indexes;
  private Ingestion ingestion;
  private IngestJobs ingestJobs;
  private Searcher searcher;
  private long snapshotTimer;
  /** Documents accepted but not yet stored, per knowledge base id (for the {@code pending} count). */
  private final Map<Long, Integer> pending = new HashMap<>();
  /**
   * (tenant, name) → kb; ids are never reused, and deletes here invalidate at once. Re-read after 5 s; while
   * PostgreSQL is unavailable a name read in the last hour still resolves (nothing can be deleted meanwhile), so
   * searches and cached answers of known knowledge bases keep working through an outage.
   */
  private final StoreCache<String, KbRepository.Kb> kbCache = new StoreCache<>(Duration.ofSeconds(5), Duration.ofHours(1),
    10_000);

  @Override
  public Future<?> start() {
    GanglionConfig global = GanglionConfig.from(config());
    config = RetrievalConfig.from(config().getJsonObject("retrieval"));
    postgres = Stores.postgres(vertx, global.postgres());
    kbs = new KbRepository(postgres);
    documents = new DocumentRepository(postgres);
    jobs = new JobRepository(postgres);
    workers = new RetrievalWorkers(config.workers(), context);
    InferenceConfig inference = InferenceConfig.from(config().getJsonObject("inference"));
    ModelSpec model = inference.models().stream().filter(m -> m.name().equals(inference.defaultModel())).findFirst().orElseThrow();
    indexes = new KbIndexes(workers, documents, global.dataDir().resolve("indexes"), config.shards());
    searcher = new Searcher(vertx, indexes, config, global.busTimeoutMs());
    return workers.run(() -> TokenizerCounter.of(model))
      .compose(counter -> {
        tokens = counter;
        ingestion = new Ingestion(vertx, workers, new Chunker(counter, config.chunkTokens(), config.overlapTokens()),
          documents, indexes);
        ingestJobs = new IngestJobs(vertx, ingestion, jobs);
        return jobs.failInterrupted();
      })
      .compose(interrupted -> {
        snapshotTimer = vertx.setPeriodic(SNAPSHOT_INTERVAL_MS, t -> indexes.snapshotChanged());
        var bus = vertx.eventBus();
        return Future.all(List.of(
          Status.register(vertx, Addresses.RETRIEVAL_STATUS, "retrieval", indexes::describe),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_CREATE, this::createKb).completion(),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_LIST, this::listKbs).completion(),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_GET, this::getKb).completion(),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_DELETE, this::deleteKb).completion(),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_INGEST, this::ingest).completion(),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_SEARCH, this::search).completion(),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_DELETE, this::deleteDocument).completion(),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_DOCUMENT_GET, this::getDocument).completion(),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_JOB_GET, this::getJob).completion()));
      });
  }

  /** Snapshots changed indexes, then closes indexes, workers and the pool. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(snapshotTimer);
    Future<Void> snapshots = indexes == null ? Future.succeededFuture() : indexes.snapshotChanged();
    return snapshots.eventually(() -> workers.run(() -> {
      indexes.close();
      if (tokens != null) {
        tokens.close();
      }
      return null;
    })).eventually(() -> {
      try {
        workers.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return postgres.close();
    });
  }

  // --- knowledge bases

  private void createKb(Message<JsonObject> msg) {
    handle(msg, body -> {
      String name = body.getString("name");
      if (name == null || !KB_NAME.matcher(name).matches()) {
        throw ErrorCode.INVALID_REQUEST.exception("invalid knowledge base name '" + name
          + "': use 1-63 lower-case letters, digits, '_' or '-', starting with a letter or digit");
      }
      return kbs.create(tenant(body), name).map(kb -> kbJson(kb).put("documents", 0).put("chunks", 0).put("pending", 0));
    });
  }

  private void listKbs(Message<JsonObject> msg) {
    handle(msg, body -> kbs.list(tenant(body))
      .map(list -> new JsonObject().put("kbs", new JsonArray(list.stream().map(RetrievalVerticle::kbJson).toList()))));
  }

  private void getKb(Message<JsonObject> msg) {
    handle(msg, body -> kb(body).compose(kb -> documents.counts(kb.id()).map(counts -> kbJson(kb)
      .put("documents", counts.documents()).put("chunks", counts.chunks()).put("version", counts.version())
      .put("pending", pending.getOrDefault(kb.id(), 0)))));
  }

  private void deleteKb(Message<JsonObject> msg) {
    handle(msg, body -> kb(body).compose(kb -> kbs.delete(kb.tenant(), kb.name())
      .compose(deleted -> {
        kbCache.invalidate(kb.tenant() + "/" + kb.name());
        vertx.eventBus().publish(Addresses.RETRIEVAL_KB_CHANGED, changed(kb).put("deleted", true));
        return indexes.drop(kb.id());
      })
      .map(v -> new JsonObject().put("deleted", kb.name()))));
  }

  // --- documents

  private void ingest(Message<JsonObject> msg) {
    handle(msg, body -> {
      if (!(body.getValue("documents") instanceof JsonArray array) || array.isEmpty()) {
        throw ErrorCode.INVALID_REQUEST.exception("'documents' must be a non-empty list");
      }
      if (array.size() > config.maxDocumentsPerRequest()) {
        throw ErrorCode.PAYLOAD_TOO_LARGE.exception("at most " + config.maxDocumentsPerRequest()
          + " documents per request, got " + array.size());
      }
      return kb(body).compose(kb -> {
        List<DocumentInput> valid = new ArrayList<>();
        JsonArray rejected = new JsonArray();
        for (int i = 0; i < array.size(); i++) {
          Object raw = array.getValue(i);
          try {
            if (!(raw instanceof JsonObject doc)) {
              throw ErrorCode.INVALID_REQUEST.exception("each document must be an object");
            }
            DocumentInput input = DocumentInput.from(doc);
            if (input.content() != null && input.content().length > config.maxFileBytes()) {
              throw ErrorCode.PAYLOAD_TOO_LARGE.exception("file is larger than " + config.maxFileBytes() + " bytes");
            }
            valid.add(input);
          } catch (ReplyException e) {
            Object id = raw instanceof JsonObject doc ? doc.getValue("id") : null;
            rejected.add(new JsonObject().put("id", id instanceof String s ? s : null).put("index", i)
              .put("status", "failed").put("error", new JsonObject()
                .put("code", ErrorCode.ofCode(e.failureCode()).slug()).put("message", e.getMessage())));
          }
        }
        if (valid.isEmpty()) {
          return Future.succeededFuture(new JsonObject().put("documents", rejected));
        }
        pending.merge(kb.id(), valid.size(), Integer::sum);
        Runnable done = () -> {
          pending.merge(kb.id(), -valid.size(), (a, b) -> a + b == 0 ? null : a + b);
          announce(kb);
        };
        if (valid.size() > config.asyncThreshold()) {
          return ingestJobs.start(kb.tenant(), kb.id(), valid, done)
            .map(id -> new JsonObject().put("job", new JsonObject().put("id", id.toString()).put("status", "queued")
              .put("documents", valid.size())).put("rejected", rejected));
        }
        return ingestion.ingest(kb.id(), valid)
          .eventually(() -> {
            pending.merge(kb.id(), -valid.size(), (a, b) -> a + b == 0 ? null : a + b);
            return announce(kb);
          })
          .map(outcomes -> {
            JsonArray results = rejected.copy();
            outcomes.forEach(o -> results.add(o.toJson()));
            return new JsonObject().put("documents", results);
          });
      });
    });
  }

  private void search(Message<JsonObject> msg) {
    handle(msg, body -> kb(body).compose(kb -> searcher.search(kb.id(), body)));
  }

  private void deleteDocument(Message<JsonObject> msg) {
    handle(msg, body -> {
      String id = documentId(body);
      return kb(body).compose(kb -> documents.delete(kb.id(), id).compose(version -> version
        .map(v -> indexes.delete(kb.id(), id, v).eventually(() -> announce(kb))
          .map(x -> new JsonObject().put("deleted", id)))
        .orElseGet(() -> Future.failedFuture(ErrorCode.NOT_FOUND.exception("no document '" + id + "' in this knowledge base")))));
    });
  }

  private void getDocument(Message<JsonObject> msg) {
    handle(msg, body -> {
      String id = documentId(body);
      return kb(body).compose(kb -> documents.get(kb.id(), id)).compose(doc -> doc
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(ErrorCode.NOT_FOUND.exception("no document '" + id + "' in this knowledge base"))));
    });
  }

  private void getJob(Message<JsonObject> msg) {
    handle(msg, body -> jobs.get(tenant(body), String.valueOf(body.getValue("id")))
      .compose(job -> job.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(ErrorCode.NOT_FOUND.exception("no such job")))));
  }

  // --- plumbing

  /**
   * Publishes {@code ganglion.retrieval.kb.changed} with the knowledge base's new version, before the change is
   * acknowledged, so caches on this node never answer from the old version once the caller has heard back. Never
   * fails: without the version the event still tells caches to forget what they knew.
   */
  private Future<Void> announce(KbRepository.Kb kb) {
    return documents.counts(kb.id())
      .map(counts -> changed(kb).put("version", counts.version()))
      .otherwise(failure -> changed(kb))
      .map(event -> {
        vertx.eventBus().publish(Addresses.RETRIEVAL_KB_CHANGED, event);
        return null;
      });
  }

  private static JsonObject changed(KbRepository.Kb kb) {
    return new JsonObject().put("tenant", kb.tenant()).put("kb", kb.name()).put("createdAt", kb.createdAt().toString());
  }

  /** Runs {@code work} and replies with its result, or fails the message with the failure's code. */
  private void handle(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> work) {
    Future<JsonObject> result;
    try {
      result = work.apply(msg.body());
    } catch (ReplyException e) {
      msg.fail(e.failureCode(), e.getMessage());
      return;
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(msg::reply).onFailure(failure -> {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
      switch (cause) {
        case ReplyException re -> msg.fail(ErrorCode.of(re).code(), re.getMessage());
        case Throwable t when StoreCache.unavailable(t) ->
          ErrorCode.UNAVAILABLE.fail(msg, "PostgreSQL is unavailable: " + t.getMessage());
        case KbRepository.DuplicateKbException d -> ErrorCode.CONFLICT.fail(msg, d.getMessage());
        case IllegalArgumentException iae -> ErrorCode.INVALID_REQUEST.fail(msg, iae.getMessage());
        case io.vertx.pgclient.PgException pg -> ErrorCode.UNAVAILABLE.fail(msg, "store error: " + pg.getMessage());
        default -> ErrorCode.INTERNAL.fail(msg, "retrieval failed: " + cause);
      }
    });
  }

  private Future<KbRepository.Kb> kb(JsonObject body) {
    String tenant = tenant(body);
    Object name = body.getValue("kb", body.getValue("name"));
    if (!(name instanceof String n) || !KB_NAME.matcher(n).matches()) {
      return Future.failedFuture(ErrorCode.NOT_FOUND.exception("no knowledge base named '" + name + "'"));
    }
    String key = tenant + "/" + n;
    return kbCache.get(key, k -> kbs.get(tenant, n).map(kb -> kb.orElse(null))).compose(kb -> kb != null
      ? Future.succeededFuture(kb)
      : Future.failedFuture(ErrorCode.NOT_FOUND.exception("no knowledge base named '" + n + "'")));
  }

  private static String tenant(JsonObject body) {
    if (!(body.getValue("tenant") instanceof String tenant) || tenant.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'tenant' is required");
    }
    return tenant;
  }

  private static String documentId(JsonObject body) {
    if (!(body.getValue("documentId") instanceof String id) || !DocumentInput.ID.matcher(id).matches()) {
      throw ErrorCode.NOT_FOUND.exception("no document '" + body.getValue("documentId") + "' in this knowledge base");
    }
    return id;
  }

  private static JsonObject kbJson(KbRepository.Kb kb) {
    return new JsonObject().put("name", kb.name()).put("createdAt", kb.createdAt().toString());
  }
}
