package io.ganglion.retrieval.shard;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.bus.ErrorCode;
import io.ganglion.retrieval.index.CorpusStatistics;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.store.KbRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's shard endpoint, {@code ganglion.retrieval.shards.<vertx node id>.<step>}: the steps of searches other
 * nodes coordinate ({@code stats}, {@code rank}, {@code fetch}, answered from this node's active copies), and
 * {@code changed}, the notice of a change to a knowledge base (created, documents changed up to a version per shard,
 * deleted), answered once this node's copies took it in. Cluster-internal: JSON, never permitted on the bridge.
 * <p>
 * <b>NOTE</b>: handlers run on the retrieval verticle's context.
 */
final class ShardEndpoint {

  private final Vertx vertx;
  private final ShardReplicas replicas;
  private final LocalShards local;
  private final String vertxId;

  ShardEndpoint(Vertx vertx, ShardReplicas replicas, LocalShards local, String vertxId) {
    this.vertx = vertx;
    this.replicas = replicas;
    this.local = local;
    this.vertxId = vertxId;
  }

  /** Registers the four consumers; completes once other nodes can reach them. */
  Future<Void> register() {
    var bus = vertx.eventBus();
    return Future.all(List.of(
      bus.<JsonObject>consumer(Addresses.retrievalShards(vertxId, "stats"),
        msg -> answer(msg, body -> stats(body, deadline(msg)))).completion(),
      bus.<JsonObject>consumer(Addresses.retrievalShards(vertxId, "rank"),
        msg -> answer(msg, body -> rank(body, deadline(msg)))).completion(),
      bus.<JsonObject>consumer(Addresses.retrievalShards(vertxId, "fetch"),
        msg -> answer(msg, body -> fetch(body, deadline(msg)))).completion(),
      bus.<JsonObject>consumer(Addresses.retrievalShards(vertxId, "changed"), msg -> answer(msg, this::changed))
        .completion())).mapEmpty();
  }

  /** The coordinating search's deadline ({@link Deadlines#DEADLINE_HEADER}; none: {@code Long.MAX_VALUE}). */
  private static long deadline(Message<JsonObject> msg) {
    return Deadlines.deadlineOf(msg.headers().get(Deadlines.DEADLINE_HEADER));
  }

  private Future<JsonObject> stats(JsonObject body, long deadline) {
    SearchQuery query = ShardWire.query(body.getJsonObject("query"));
    return local.statistics(body.getLong("kbId"), ShardWire.ints(body.getJsonArray("shards")), query, deadline)
      .map(stats -> perShard(stats, CorpusStatistics::toJson));
  }

  private Future<JsonObject> rank(JsonObject body, long deadline) {
    SearchQuery query = ShardWire.query(body.getJsonObject("query"));
    return local.rank(body.getLong("kbId"), ShardWire.ints(body.getJsonArray("shards")), query,
        ShardWire.statistics(body.getJsonObject("global")), deadline)
      .map(ranked -> perShard(ranked, r -> new JsonObject().put("keyword", ShardWire.ranking(r.keyword()))
        .put("vector", ShardWire.ranking(r.vector()))));
  }

  private Future<JsonObject> fetch(JsonObject body, long deadline) {
    JsonObject ids = body.getJsonObject("ids");
    Map<Integer, List<String>> chunkIds = new HashMap<>();
    for (String s : ids.fieldNames()) {
      List<String> list = new ArrayList<>();
      ids.getJsonArray(s).forEach(id -> list.add((String) id));
      chunkIds.put(Integer.parseInt(s), list);
    }
    return local.fetch(body.getLong("kbId"), chunkIds, deadline).map(stored -> perShard(stored, ShardWire::stored));
  }

  /** {@code {"kbId","created"?:{kb},"deleted"?:true,"shards"?:{"<shard>":version}}} → {@code {"shards":{s:state}}}. */
  private Future<JsonObject> changed(JsonObject body) {
    long kbId = body.getLong("kbId");
    if (Boolean.TRUE.equals(body.getBoolean("deleted"))) {
      return replicas.kbDeleted(kbId).map(v -> new JsonObject().put("shards", new JsonObject()));
    }
    JsonObject created = body.getJsonObject("created");
    if (created != null) {
      return replicas.kbCreated(kb(created)).map(v -> new JsonObject().put("shards", new JsonObject()));
    }
    renamed(replicas, body);
    Map<Integer, Long> versions = new HashMap<>();
    JsonObject shards = body.getJsonObject("shards", new JsonObject());
    for (String s : shards.fieldNames()) {
      versions.put(Integer.parseInt(s), shards.getLong(s));
    }
    return replicas.changed(kbId, versions).map(states -> new JsonObject().put("shards", states));
  }

  static JsonObject kbJson(KbRepository.Kb kb) {
    return new JsonObject().put("id", kb.id()).put("tenant", kb.tenant()).put("name", kb.name())
      .put("createdAt", kb.createdAt().toString()).put("shards", kb.shards());
  }

  /** Applies a notice's {@code renamed} knowledge bases (a model change's switch), if it has any. */
  static void renamed(ShardReplicas replicas, JsonObject notice) {
    io.vertx.core.json.JsonArray renamed = notice.getJsonArray("renamed");
    if (renamed != null) {
      replicas.renamed(renamed.stream().map(o -> kb((JsonObject) o)).toList());
    }
  }

  static KbRepository.Kb kb(JsonObject json) {
    return new KbRepository.Kb(json.getLong("id"), json.getString("tenant"), json.getString("name"),
      OffsetDateTime.parse(json.getString("createdAt")), json.getInteger("shards"));
  }

  private static <T> JsonObject perShard(Map<Integer, T> values, java.util.function.Function<T, Object> encode) {
    JsonObject shards = new JsonObject();
    values.forEach((s, v) -> shards.put(Integer.toString(s), encode.apply(v)));
    return new JsonObject().put("shards", shards);
  }

  private static void answer(Message<JsonObject> msg, java.util.function.Function<JsonObject, Future<JsonObject>> step) {
    Future<JsonObject> result;
    try {
      result = step.apply(msg.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(msg::reply).onFailure(e -> {
      ErrorCode code = ErrorCode.of(e);
      msg.fail(code.code(), String.valueOf(e.getMessage()));
    });
  }
}
