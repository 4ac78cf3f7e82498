package io.ganglion.orchestration;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test double of {@code ganglion.inference.embed}: a deterministic embedding whose similarity is real lexical overlap.
 * A vector is {@code sqrt(a)} on a shared axis plus {@code sqrt(1-a)} times the L2-normalised hashed bag of content
 * words (lower-cased, a trailing plural 's' dropped), so {@code cos(x, y) = a + (1 - a) * bagOfWordsCos(x, y)}. The
 * shared part mimics the anisotropy of real sentence embedders (bge-small scores unrelated text around 0.3-0.5), so the
 * production threshold (0.61) keeps its meaning: unrelated text scores {@value #SHARED}, and a sentence must share
 * roughly a quarter of its normalised terms with the question to pass. A request with a text containing {@value #SLOW}
 * is answered after {@value #SLOW_MS} ms.
 */
public final class HashingEmbedder {

  public static final String SLOW = "glacial";
  public static final long SLOW_MS = 1500;
  static final double SHARED = 0.4;
  static final int DIMS = 1024;
  private static final Set<String> STOP = Set.of("a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does",
    "for", "from", "get", "how", "i", "in", "is", "it", "of", "on", "or", "the", "to", "what", "when", "where", "which",
    "who", "why", "with", "within", "must", "may", "their", "they", "this", "that", "there", "per", "many", "much");

  /** Every text embedded, in order. */
  public final List<String> received = new CopyOnWriteArrayList<>();

  private Vertx vertx;

  public void register(Vertx vertx) {
    this.vertx = vertx;
    vertx.eventBus().<JsonObject>consumer(Addresses.INFERENCE_EMBED, this::embed).completion().await();
  }

  private void embed(Message<JsonObject> msg) {
    JsonArray texts = msg.body().getJsonArray("texts");
    if (texts == null) {
      ErrorCode.INVALID_REQUEST.fail(msg, "'texts' is required");
      return;
    }
    JsonArray vectors = new JsonArray();
    boolean slow = false;
    for (Object t : texts) {
      received.add((String) t);
      vectors.add(vector((String) t));
      slow |= ((String) t).contains(SLOW);
    }
    JsonObject reply = new JsonObject().put("model", "hashing-bow").put("dims", DIMS + 1).put("vectors", vectors);
    if (slow) {
      vertx.setTimer(SLOW_MS, id -> msg.reply(reply));
    } else {
      msg.reply(reply);
    }
  }

  static JsonArray vector(String text) {
    double[] bag = new double[DIMS];
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (word.isEmpty() || STOP.contains(word)) {
        continue;
      }
      String term = word.length() > 3 && word.endsWith("s") ? word.substring(0, word.length() - 1) : word;
      bag[Math.floorMod(term.hashCode(), DIMS)] += 1;
    }
    double norm = 0;
    for (double v : bag) {
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    JsonArray out = new JsonArray().add(Math.sqrt(SHARED));
    double scale = norm == 0 ? 0 : Math.sqrt(1 - SHARED) / norm;
    for (double v : bag) {
      out.add((float) (v * scale));
    }
    return out;
  }
}
