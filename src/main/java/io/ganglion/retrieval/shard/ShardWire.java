package io.ganglion.retrieval.shard;

import io.ganglion.bus.Vectors;
import io.ganglion.retrieval.index.CorpusStatistics;
import io.ganglion.retrieval.index.KeywordScoring;
import io.ganglion.retrieval.index.Rankings;
import io.ganglion.retrieval.index.ScoredChunk;
import io.ganglion.retrieval.index.SearchMode;
import io.ganglion.retrieval.index.SearchQuery;
import io.ganglion.retrieval.index.StoredChunk;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the messages between nodes for one search: the query, per-shard rankings and stored fields. Scores are
 * doubles and survive the JSON round trip exactly, so merged rankings equal those of a single node.
 */
final class ShardWire {

  private ShardWire() {
  }

  static JsonObject query(SearchQuery q) {
    JsonObject json = new JsonObject().put("text", q.text()).put("mode", q.mode().name()).put("topK", q.topK())
      .put("keywordCandidates", q.keywordCandidates()).put("vectorCandidates", q.vectorCandidates())
      .put("filters", new JsonObject(new HashMap<>(q.filters()))).put("byDocument", q.byDocument())
      .put("scoring", new JsonObject().put("k1", q.scoring().k1()).put("b", q.scoring().b())
        .put("headingWeight", q.scoring().headingWeight()).put("exactWeight", q.scoring().exactWeight()));
    if (q.vector() != null) {
      json.put("vector", Vectors.toJson(q.vector()));
    }
    return json;
  }

  static SearchQuery query(JsonObject json) {
    Map<String, String> filters = new HashMap<>();
    json.getJsonObject("filters", new JsonObject()).forEach(e -> filters.put(e.getKey(), String.valueOf(e.getValue())));
    JsonArray vector = json.getJsonArray("vector");
    JsonObject scoring = json.getJsonObject("scoring");
    return new SearchQuery(json.getString("text"), vector == null ? null : Vectors.fromJson(vector),
      SearchMode.valueOf(json.getString("mode")), json.getInteger("topK"), json.getInteger("keywordCandidates"),
      json.getInteger("vectorCandidates"), filters, json.getBoolean("byDocument"),
      new KeywordScoring(scoring.getDouble("k1"), scoring.getDouble("b"), scoring.getDouble("headingWeight"),
        scoring.getDouble("exactWeight")));
  }

  static JsonObject statistics(CorpusStatistics stats) {
    return stats == null ? null : stats.toJson();
  }

  static CorpusStatistics statistics(JsonObject json) {
    return json == null ? null : CorpusStatistics.fromJson(json);
  }

  /** {@code [[shard, chunkId, score], ...]}. */
  static JsonArray ranking(List<Rankings.Located> ranking) {
    JsonArray out = new JsonArray();
    for (Rankings.Located l : ranking) {
      out.add(new JsonArray().add(l.shard()).add(l.chunk().chunkId()).add(l.chunk().score()));
    }
    return out;
  }

  static List<Rankings.Located> ranking(JsonArray json) {
    List<Rankings.Located> out = new ArrayList<>(json.size());
    for (int i = 0; i < json.size(); i++) {
      JsonArray a = json.getJsonArray(i);
      out.add(new Rankings.Located(a.getInteger(0), new ScoredChunk(a.getString(1), a.getDouble(2))));
    }
    return out;
  }

  static JsonObject stored(Map<String, StoredChunk> chunks) {
    JsonObject out = new JsonObject();
    chunks.forEach((id, c) -> out.put(id, new JsonArray().add(c.documentId()).add(c.title()).add(c.text())
      .add(c.start()).add(c.end()).add(c.injection())));
    return out;
  }

  static Map<String, StoredChunk> stored(JsonObject json) {
    Map<String, StoredChunk> out = new HashMap<>();
    for (String id : json.fieldNames()) {
      JsonArray a = json.getJsonArray(id);
      // a node of an earlier release sends five fields: no recorded verdict
      out.put(id, new StoredChunk(a.getString(0), id, a.getString(1), a.getString(2), a.getInteger(3), a.getInteger(4),
        a.size() > 5 ? a.getString(5) : null));
    }
    return out;
  }

  static JsonArray ints(Collection<Integer> values) {
    return new JsonArray(new ArrayList<>(values));
  }

  static List<Integer> ints(JsonArray json) {
    List<Integer> out = new ArrayList<>(json.size());
    for (int i = 0; i < json.size(); i++) {
      out.add(json.getInteger(i));
    }
    return out;
  }
}
