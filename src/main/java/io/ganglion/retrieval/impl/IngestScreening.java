package io.ganglion.retrieval.impl;

import io.ganglion.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Inspects freshly cut chunks for indirect prompt injection at ingestion, so an ask can use the recorded verdict
 * instead of inspecting the passage again: the chunks' texts go to {@code ganglion.reflex.inspect.passages} on this
 * node (on another one when this node runs no reflex layer) in groups of {@value #GROUP} (the address's limit), one group at a time per ingested slice — the reflex layer
 * runs a group on a worker, and a slice never holds more than one of them, so interactive inspections are not queued
 * behind a bulk ingestion. The caller runs it alongside embedding, which takes far longer.
 * <p>
 * Each chunk's mark is {@code {"injection","score","rules","families","stage","version"}}, {@code version} being the
 * reflex layer's mark version (detector, thresholds and override of the knowledge base). It fails open: a chunk of a
 * group the reflex layer did not answer (absent, failed, timed out), or inspected with injection detection off, gets
 * no mark ({@code null}) and is inspected at ask time as chunks ingested before marks existed are.
 */
final class IngestScreening {

  /** Texts per request: {@code ReflexVerticle.MAX_PASSAGES}. */
  static final int GROUP = 64;
  /** Deadline of one group (64 chunks take a few tens of milliseconds on a worker). */
  static final long TIMEOUT_MS = 30_000;

  private static final Logger LOG = LoggerFactory.getLogger(IngestScreening.class);

  private final Vertx vertx;

  IngestScreening(Vertx vertx) {
    this.vertx = vertx;
  }

  /** One mark per text, in order ({@code null}: none recorded); never fails. */
  Future<List<JsonObject>> marks(List<String> texts, String tenant, String kb) {
    JsonObject[] marks = new JsonObject[texts.size()];
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < texts.size(); from += GROUP) {
      int first = from;
      List<String> group = texts.subList(from, Math.min(texts.size(), from + GROUP));
      chain = chain.compose(v -> group(group, tenant, kb).map(verdicts -> {
        for (int i = 0; i < verdicts.size(); i++) {
          marks[first + i] = verdicts.get(i);
        }
        return null;
      }));
    }
    return chain.map(v -> Arrays.asList(marks));
  }

  private Future<List<JsonObject>> group(List<String> texts, String tenant, String kb) {
    JsonObject request = new JsonObject().put("texts", new JsonArray(new ArrayList<Object>(texts)))
      .put("tenant", tenant).put("kb", kb);
    DeliveryOptions hop = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);
    return vertx.eventBus().<JsonObject>request(Addresses.local(Addresses.REFLEX_INSPECT_PASSAGES), request, hop)
      // a node without the reflex layer asks one that has it
      .recover(failure -> noHandlers(failure)
        ? vertx.eventBus().request(Addresses.REFLEX_INSPECT_PASSAGES, request, hop)
        : Future.failedFuture(failure))
      .map(Message::body)
      .map(reply -> {
        List<JsonObject> out = new ArrayList<>(texts.size());
        JsonArray passages = reply.getJsonArray("passages");
        boolean checked = reply.getBoolean("checked", false) && reply.getString("markVersion") != null;
        for (int i = 0; i < texts.size(); i++) {
          JsonObject v = checked ? passages.getJsonObject(i) : null;
          JsonObject mark = v == null ? null : v.copy().put("version", reply.getString("markVersion"));
          if (mark != null) {
            mark.remove("source");
          }
          out.add(mark);
        }
        return out;
      })
      .otherwise(failure -> {
        if (!noHandlers(failure)) {
          LOG.warn("ingest-time injection screening failed; these chunks are screened when asked: {}",
            failure.getMessage());
        }
        return java.util.Collections.nCopies(texts.size(), null);
      });
  }

  private static boolean noHandlers(Throwable failure) {
    return failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
  }
}
