package io.ganglion.retrieval.shard;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.Deadlines;
import io.ganglion.cluster.Member;
import io.ganglion.retrieval.index.CorpusStatistics;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.index.StoredChunk;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of a search on another node's copies, over the clustered event bus to its {@link ShardEndpoint}, each
 * with the per-shard deadline {@code cluster.shardTimeoutMs} (then the coordinator tries another copy).
 */
final class RemoteShards implements ShardHost {

  private final Vertx vertx;
  private final Member member;
  private final long timeoutMs;

  RemoteShards(Vertx vertx, Member member, long timeoutMs) {
    this.vertx = vertx;
    this.member = member;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public String nodeId() {
    return member.id();
  }

  @Override
  public Future<Map<Integer, CorpusStatistics>> statistics(long kbId, List<Integer> shards, SearchQuery query,
                                                         long deadline) {
    return request("stats", new JsonObject().put("kbId", kbId).put("shards", ShardWire.ints(shards))
      .put("query", ShardWire.query(query)), deadline)
      .map(reply -> perShard(reply, v -> ShardWire.statistics((JsonObject) v)));
  }

  @Override
  public Future<Map<Integer, Ranked>> rank(long kbId, List<Integer> shards, SearchQuery query, CorpusStatistics global,
                                           long deadline) {
    return request("rank", new JsonObject().put("kbId", kbId).put("shards", ShardWire.ints(shards))
      .put("query", ShardWire.query(query)).put("global", ShardWire.statistics(global)), deadline)
      .map(reply -> perShard(reply, v -> {
        JsonObject r = (JsonObject) v;
        return new Ranked(ShardWire.ranking(r.getJsonArray("keyword")), ShardWire.ranking(r.getJsonArray("vector")));
      }));
  }

  @Override
  public Future<Map<Integer, Map<String, StoredChunk>>> fetch(long kbId, Map<Integer, List<String>> chunkIds,
                                                             long deadline) {
    JsonObject ids = new JsonObject();
    chunkIds.forEach((s, list) -> ids.put(Integer.toString(s), new JsonArray(List.copyOf(list))));
    return request("fetch", new JsonObject().put("kbId", kbId).put("ids", ids), deadline)
      .map(reply -> perShard(reply, v -> ShardWire.stored((JsonObject) v)));
  }

  /** Sends one step, with the search's deadline in {@link Deadlines#DEADLINE_HEADER} when it has one. */
  private Future<JsonObject> request(String step, JsonObject body, long deadline) {
    DeliveryOptions options = Deadlines.within(timeoutMs);
    if (deadline != Long.MAX_VALUE) {
      options.addHeader(Deadlines.DEADLINE_HEADER, Long.toString(deadline));
    }
    return vertx.eventBus().<JsonObject>request(Addresses.retrievalShards(member.vertxId(), step), body, options)
      .map(Message::body);
  }

  private static <T> Map<Integer, T> perShard(JsonObject reply, java.util.function.Function<Object, T> decode) {
    Map<Integer, T> out = new HashMap<>();
    JsonObject shards = reply.getJsonObject("shards");
    for (String s : shards.fieldNames()) {
      out.put(Integer.parseInt(s), decode.apply(shards.getValue(s)));
    }
    return out;
  }
}
