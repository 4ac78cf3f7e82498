package io.ganglion.retrieval;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.Handlers;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.bus.LocalCodec;
import io.ganglion.bus.PublicAddress;
import io.ganglion.bus.Status;
import io.ganglion.config.GanglionConfig;
import io.ganglion.inference.InferenceConfig;
import io.ganglion.inference.onnx.ModelSpec;
import io.ganglion.retrieval.impl.DocumentInput;
import io.ganglion.retrieval.impl.EmbedPermits;
import io.ganglion.retrieval.impl.IngestIntake;
import io.ganglion.retrieval.impl.IngestJobs;
import io.ganglion.retrieval.impl.IngestRequest;
import io.ganglion.retrieval.impl.Ingestion;
import io.ganglion.retrieval.impl.KbModels;
import io.ganglion.retrieval.impl.KbRegistry;
import io.ganglion.retrieval.impl.ModelChanges;
import io.ganglion.retrieval.impl.NodeCapacity;
import io.ganglion.retrieval.impl.RetrievalWorkers;
import io.ganglion.retrieval.impl.Admission;
import io.ganglion.retrieval.impl.Searcher;
import io.ganglion.retrieval.impl.TokenizerCounter;
import io.ganglion.retrieval.impl.Warmup;
import io.ganglion.retrieval.ingest.Chunker;
import io.ganglion.cluster.Cluster;
import io.ganglion.retrieval.shard.Shards;
import io.ganglion.store.ChangeLogRepository;
import io.ganglion.store.DocumentRepository;
import io.ganglion.store.JobRepository;
import io.ganglion.store.KbRepository;
import io.ganglion.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Retrieval: knowledge bases, ingestion, indexes and search. PostgreSQL holds documents, chunks and embeddings; the
 * Lucene BM25 and JVector indexes are derived from it, per knowledge base, in shards. Bus handlers run on this
 * verticle's event loop (validation, SQL); parsing, chunking and index work run on {@link RetrievalWorkers}. See
 * verticles.md for the addresses.
 * <p>
 * The handlers only route: {@link KbRegistry} owns the knowledge bases and the lookup every KB-scoped request starts
 * with, {@link IngestRequest} validates an ingestion request and {@link IngestIntake} runs it at once or as a durable
 * job ({@link IngestJobs}), {@link Searcher} answers searches, {@link Shards} holds this node's shard copies and
 * reaches the others'.
 */
public final class RetrievalVerticle extends VerticleBase {

  /**
   * Bulk embedding requests ingestion keeps in flight on this node, across all jobs: 4 x 64 texts keeps a model's
   * batches full (several requests queued while one runs) and stays far inside the bulk lane's capacity.
   */
  static final int INGEST_EMBEDS_IN_FLIGHT = 4;

  private Pool postgres;
  private DocumentRepository documents;
  private JobRepository jobs;
  private RetrievalConfig config;
  private RetrievalWorkers workers;
  private TokenizerCounter tokens;
  private Shards shards;
  private KbRegistry registry;
  private KbModels kbModels;
  private KbRepository kbRepository;
  private IngestIntake intake;
  private NodeCapacity capacity;
  private IngestJobs ingestJobs;
  private Searcher searcher;
  private ModelChanges modelChanges;
  private Warmup warmup;
  private long snapshotTimer = -1;

  @Override
  public Future<?> start() {
    GanglionConfig global = GanglionConfig.from(config());
    config = RetrievalConfig.from(config().getJsonObject("retrieval"));
    DurabilityConfig durability = DurabilityConfig.from(config().getJsonObject("retrieval"));
    postgres = Stores.postgres(vertx, global.postgres());
    documents = new DocumentRepository(postgres);
    jobs = new JobRepository(postgres);
    KbRepository kbs = new KbRepository(postgres);
    workers = new RetrievalWorkers(config.workers(), context, MeterRegistries.of(vertx));
    InferenceConfig inference = InferenceConfig.from(config().getJsonObject("inference"));
    ModelSpec model = inference.defaultSpec();
    capacity = NodeCapacity.of(config.capacity(), global.dataDir(), MeterRegistries.of(vertx));
    kbRepository = kbs;
    kbModels = new KbModels(vertx, kbs, new KbModels.ModelRef(model.ref(), model.dims()), global.busTimeoutMs());
    ChangeLogRepository changeLog = new ChangeLogRepository(postgres);
    shards = new Shards(vertx, global.cluster(), workers, kbs, documents, changeLog,
      global.dataDir().resolve("indexes"), global.dataDir().resolve("index-work"), config.vectors(), config.shards(),
      durability.changeLogRetention(), global.busTimeoutMs(), capacity);
    registry = new KbRegistry(kbs, documents, jobs, shards.broadcast(), config.shards(), kbModels);
    searcher = new Searcher(vertx, shards.scatter(), kbModels, config, global.busTimeoutMs());
    LocalCodec.register(vertx.eventBus(), SentenceLookup.class);
    LocalCodec.register(vertx.eventBus(), StoredSentences.class);
    return workers.run(() -> TokenizerCounter.of(model))
      .compose(counter -> {
        tokens = counter;
        Ingestion ingestion = new Ingestion(vertx, workers,
          new Chunker(counter, config.chunkTokens(), config.overlapTokens()), documents, kbModels, shards.capacity(),
          new EmbedPermits(INGEST_EMBEDS_IN_FLIGHT, MeterRegistries.of(vertx)));
        ingestJobs = new IngestJobs(vertx, ingestion, jobs, registry, shards, Cluster.membership(vertx).self().id(),
          durability.jobLeaseMs());
        intake = new IngestIntake(registry, ingestion, ingestJobs, config.asyncThreshold());
        modelChanges = new ModelChanges(vertx, kbs, documents, changeLog, jobs, registry, kbModels, shards.broadcast(),
          ingestion, Cluster.membership(vertx).self().id(), durability.jobLeaseMs());
        return shards.start();
      })
      .compose(v -> ingestJobs.start())
      .compose(v -> {
        warmup = new Warmup(vertx, shards, kbs, searcher, durability.warmupMs());
        warmup.start();
        snapshotTimer = vertx.setPeriodic(durability.snapshotIntervalMs(), t -> shards.snapshotChanged());
        var bus = vertx.eventBus();
        return Future.all(List.of(
          Status.register(vertx, Addresses.RETRIEVAL_STATUS, "retrieval",
            () -> shards.describe().put("warmup", warmup.describe())),
          PublicAddress.register(bus, Addresses.RETRIEVAL_CLUSTER, this::cluster),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_KB_CHANGED, this::kbChanged).completion(),
          bus.<JsonObject>localConsumer(Addresses.RETRIEVAL_DRAIN, msg -> shards.drained()
            .compose(drained -> ingestJobs.release()).onComplete(ar -> msg.reply(new JsonObject()))).completion(),
          PublicAddress.register(bus, Addresses.RETRIEVAL_KB_CREATE, this::createKb),
          PublicAddress.register(bus, Addresses.RETRIEVAL_KB_LIST, this::listKbs),
          PublicAddress.register(bus, Addresses.RETRIEVAL_KB_GET, this::getKb),
          PublicAddress.register(bus, Addresses.RETRIEVAL_KB_DELETE, this::deleteKb),
          PublicAddress.register(bus, Addresses.RETRIEVAL_KB_UPDATE, this::updateKb),
          PublicAddress.register(bus, Addresses.RETRIEVAL_JOB_CANCEL, this::cancelJob),
          PublicAddress.register(bus, Addresses.RETRIEVAL_INGEST, this::ingest),
          PublicAddress.register(bus, Addresses.RETRIEVAL_SEARCH, this::search),
          PublicAddress.register(bus, Addresses.RETRIEVAL_DELETE, this::deleteDocument),
          PublicAddress.register(bus, Addresses.RETRIEVAL_DOCUMENT_GET, this::getDocument),
          PublicAddress.register(bus, Addresses.RETRIEVAL_DOCUMENT_LIST, this::listDocuments),
          PublicAddress.register(bus, Addresses.RETRIEVAL_JOB_GET, this::getJob),
          bus.<SentenceLookup>localConsumer(Addresses.RETRIEVAL_SENTENCES_LOCAL, Handlers.replying(this::sentences))
            .completion(),
          bus.<JsonObject>consumer(Addresses.RETRIEVAL_MODEL_USERS, Handlers.replying(this::modelUsers)).completion()));
      });
  }

  /** Snapshots changed copies and closes them, then the workers and the pool. */
  @Override
  public Future<?> stop() {
    if (snapshotTimer >= 0) {
      vertx.cancelTimer(snapshotTimer);
    }
    if (ingestJobs != null) {
      ingestJobs.stop();
    }
    Future<Void> copies = shards == null ? Future.succeededFuture() : shards.stop();
    return copies.eventually(() -> workers.run(() -> {
      if (capacity != null) {
        capacity.close();
      }
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
    handle(msg, registry::create);
  }

  private void listKbs(Message<JsonObject> msg) {
    handle(msg, registry::list);
  }

  private void getKb(Message<JsonObject> msg) {
    handle(msg, registry::describe);
  }

  private void deleteKb(Message<JsonObject> msg) {
    handle(msg, registry::delete);
  }

  /** Changes the knowledge base's embedding model: {@code {"tenant","kb","model"}} (see {@link ModelChanges}). */
  private void updateKb(Message<JsonObject> msg) {
    handle(msg, modelChanges::change);
  }

  private void cancelJob(Message<JsonObject> msg) {
    handle(msg, modelChanges::cancel);
  }

  // --- documents

  /**
   * An ingestion; one the caller waits for (not a job) is admitted against its deadline ({@link Deadlines#DEADLINE_HEADER}):
   * refused at once (5030 overloaded: 503 with Retry-After) when the ingestion backlog could not be embedded before it.
   */
  private void ingest(Message<JsonObject> msg) {
    long deadline = Deadlines.deadlineOf(msg.headers().get(Deadlines.DEADLINE_HEADER));
    handle(msg, body -> {
      IngestRequest request = IngestRequest.parse(body, config.maxDocumentsPerRequest(), config.maxFileBytes());
      capacity.refusal().ifPresent(reason -> {
        throw ErrorCode.CAPACITY.exception(reason);
      });
      return registry.lookup(body).compose(kb -> {
        // every node that will hold these documents' vectors (their shards' owners and copies) must have room
        Set<Integer> targets = new HashSet<>();
        request.accepted().forEach(d -> targets.add(Shards.shardOf(kb, d.id())));
        return shards.capacity().refusal(kb, targets)
          .<Future<JsonObject>>map(reason -> Future.failedFuture(ErrorCode.CAPACITY.exception(reason)))
          .orElseGet(() -> intake.ingest(kb, request, deadline));
      });
    });
  }

  /**
   * A search whose deadline ({@link Deadlines#DEADLINE_HEADER}) would pass while it waits for a retrieval worker, at the
   * pool's recent speed, is refused at once (5030 overloaded: 503 with Retry-After) instead of timing out in the queue.
   */
  private void search(Message<JsonObject> msg) {
    long deadline = Deadlines.deadlineOf(msg.headers().get(Deadlines.DEADLINE_HEADER));
    handle(msg, body -> {
      Admission.search(workers.expectedWaitMillis(), deadline, System.currentTimeMillis());
      return registry.lookup(body).compose(kb -> searcher.search(kb, body, deadline));
    });
  }

  private void deleteDocument(Message<JsonObject> msg) {
    handle(msg, body -> {
      String id = documentId(body);
      return registry.lookup(body).compose(kb -> {
        int shard = Shards.shardOf(kb, id);
        return documents.delete(kb.id(), shard, id).compose(version -> version
          .map(v -> registry.announce(kb, Map.of(shard, v)).map(x -> new JsonObject().put("deleted", id)))
          .orElseGet(() -> Future.failedFuture(ErrorCode.NOT_FOUND.exception("no document '" + id + "' in this knowledge base"))));
      });
    });
  }

  /** The cluster as this node sees it (members, every knowledge base's shards, their owners and active copies). */
  private void cluster(Message<JsonObject> msg) {
    handle(msg, body -> Future.succeededFuture(shards.report()));
  }

  private void getDocument(Message<JsonObject> msg) {
    handle(msg, body -> {
      String id = documentId(body);
      return registry.lookup(body).compose(kb -> documents.get(kb.id(), id)).compose(doc -> doc
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(ErrorCode.NOT_FOUND.exception("no document '" + id + "' in this knowledge base"))));
    });
  }

  /** A page of documents by id: {@code {"tenant","kb","limit"?:1..500,"after"?}} → {@code {"documents","next"}}. */
  private void listDocuments(Message<JsonObject> msg) {
    handle(msg, body -> {
      Object limit = body.getValue("limit", 100);
      if (!(limit instanceof Integer n) || n < 1 || n > 500) {
        throw ErrorCode.INVALID_REQUEST.exception("'limit' must be a whole number from 1 to 500");
      }
      String after = body.getValue("after") instanceof String a ? a : null;
      // one more than the page tells whether there is a next one
      return registry.lookup(body).compose(kb -> documents.list(kb.id(), after, n + 1)).map(rows -> {
        List<JsonObject> page = rows.subList(0, Math.min(rows.size(), n));
        return new JsonObject().put("documents", new JsonArray(new java.util.ArrayList<>(page)))
          .put("next", rows.size() > n ? page.get(page.size() - 1).getString("id") : null);
      });
    });
  }

  private void getJob(Message<JsonObject> msg) {
    handle(msg, body -> jobs.get(KbRegistry.tenant(body), String.valueOf(body.getValue("id")))
      .compose(job -> job.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(ErrorCode.NOT_FOUND.exception("no such job")))));
  }

  /** The stored sentence vectors of the chunks a search returned (for the extractive generator on this node). */
  private Future<StoredSentences> sentences(SentenceLookup lookup) {
    return registry.lookup(new JsonObject().put("tenant", lookup.tenant()).put("kb", lookup.kb()))
      .compose(kb -> Future.all(kbModels.of(kb.id()), documents.sentences(kb.id(), lookup.chunkIds()))
        .map(all -> new StoredSentences(all.<KbRepository.Embedding>resultAt(0).model(), all.resultAt(1))));
  }

  /** The knowledge bases of every tenant ({@code tenant/name}) that record the embedding model {@code "model"}. */
  private Future<JsonObject> modelUsers(JsonObject body) {
    if (!(body.getValue("model") instanceof String model) || model.isBlank()) {
      throw ErrorCode.INVALID_REQUEST.exception("'model' is required");
    }
    return kbRepository.usersOf(model).map(users -> new JsonObject().put("kbs", new io.vertx.core.json.JsonArray(users)));
  }

  /** Another node (or this one) changed a knowledge base: forget its cached model, in case it switched. */
  private void kbChanged(Message<JsonObject> msg) {
    registry.changed(msg.body());
    kbModels.forgetAll();
  }

  // --- plumbing

  /** Runs {@code work} and replies with its result, or fails the message with the failure's code. */
  private void handle(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> work) {
    Handlers.reply(msg, work);
  }

  private static String documentId(JsonObject body) {
    if (!(body.getValue("documentId") instanceof String id) || !DocumentInput.ID.matcher(id).matches()) {
      throw ErrorCode.NOT_FOUND.exception("no document '" + body.getValue("documentId") + "' in this knowledge base");
    }
    return id;
  }
}
