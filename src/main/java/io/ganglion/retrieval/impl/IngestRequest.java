package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * An ingestion request's {@code "documents"}, validated: the documents that can be ingested, in order, and those
 * rejected, each as {@code {"id","index","status":"failed","error":{"code","message"}}}. A bad document is rejected on
 * its own; only a request that is wrong as a whole (no list, an empty one, too many documents) fails.
 *
 * @param accepted the valid documents, in request order
 * @param rejected the rejected documents with their reasons
 * @param async    {@code "async":true}: run as a job whatever the number of documents
 */
public record IngestRequest(List<DocumentInput> accepted, JsonArray rejected, boolean async) {

  /**
   * Validates {@code body.documents} (and {@code body.async}, a boolean); throws 4000 without a non-empty list and 4130
   * above {@code maxDocuments}. A
   * document that is not an object, is invalid ({@link DocumentInput#from}) or uploads more than {@code maxFileBytes}
   * is rejected.
   */
  public static IngestRequest parse(JsonObject body, int maxDocuments, long maxFileBytes) {
    if (!(body.getValue("documents") instanceof JsonArray array) || array.isEmpty()) {
      throw ErrorCode.INVALID_REQUEST.exception("'documents' must be a non-empty list");
    }
    if (array.size() > maxDocuments) {
      throw ErrorCode.PAYLOAD_TOO_LARGE.exception("at most " + maxDocuments + " documents per request, got " + array.size());
    }
    Object async = body.getValue("async", false);
    if (!(async instanceof Boolean)) {
      throw ErrorCode.INVALID_REQUEST.exception("'async' must be true or false");
    }
    List<DocumentInput> accepted = new ArrayList<>();
    JsonArray rejected = new JsonArray();
    for (int i = 0; i < array.size(); i++) {
      Object raw = array.getValue(i);
      try {
        if (!(raw instanceof JsonObject doc)) {
          throw ErrorCode.INVALID_REQUEST.exception("each document must be an object");
        }
        DocumentInput input = DocumentInput.from(doc);
        if (input.content() != null && input.content().length > maxFileBytes) {
          throw ErrorCode.PAYLOAD_TOO_LARGE.exception("file is larger than " + maxFileBytes + " bytes");
        }
        accepted.add(input);
      } catch (ReplyException e) {
        Object id = raw instanceof JsonObject doc ? doc.getValue("id") : null;
        rejected.add(new JsonObject().put("id", id instanceof String s ? s : null).put("index", i)
          .put("status", "failed").put("error", new JsonObject()
            .put("code", ErrorCode.ofCode(e.failureCode()).slug()).put("message", e.getMessage())));
      }
    }
    return new IngestRequest(accepted, rejected, (Boolean) async);
  }
}
