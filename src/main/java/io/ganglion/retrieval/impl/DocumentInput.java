package io.ganglion.retrieval.impl;

import io.ganglion.bus.ErrorCode;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One document of an ingestion request, as it arrives on the bus: {@code {"id","title"?,"text"}} for text, or
 * {@code {"id","title"?,"content":<base64>,"contentType"}} for an upload; {@code "metadata"?} holds flat filterable
 * values.
 */
public record DocumentInput(String id, String title, String text, byte[] content, String contentType,
                            Map<String, String> metadata) {

  /** Document ids: URL- and path-safe, so they are usable in routes and never a file-system path. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@~+=-]{0,199}");

  /** Parses and validates one document; throws a {@code ReplyException} with the reason (reported per document). */
  public static DocumentInput from(JsonObject json) {
    if (!(json.getValue("id") instanceof String id) || !ID.matcher(id).matches()) {
      throw ErrorCode.INVALID_REQUEST.exception("'id' is required: 1-200 characters from letters, digits and ._:@~+=-, "
        + "starting with a letter or digit");
    }
    Object title = json.getValue("title");
    if (title != null && !(title instanceof String)) {
      throw ErrorCode.INVALID_REQUEST.exception("'title' must be a string");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    Object meta = json.getValue("metadata");
    if (meta != null) {
      if (!(meta instanceof JsonObject object)) {
        throw ErrorCode.INVALID_REQUEST.exception("'metadata' must be an object of flat values");
      }
      for (Map.Entry<String, Object> entry : object) {
        Object value = entry.getValue();
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
          throw ErrorCode.INVALID_REQUEST.exception("metadata '" + entry.getKey() + "' must be a string, number or boolean");
        }
        metadata.put(entry.getKey(), value.toString());
      }
    }
    Object text = json.getValue("text");
    Object content = json.getValue("content");
    if (text instanceof String s && content == null) {
      if (s.isBlank()) {
        throw ErrorCode.INVALID_REQUEST.exception("'text' must not be empty");
      }
      return new DocumentInput(id, (String) title, s, null, json.getString("contentType", "text/plain"), metadata);
    }
    if (content instanceof String encoded && text == null) {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(encoded);
      } catch (IllegalArgumentException e) {
        throw ErrorCode.INVALID_REQUEST.exception("'content' must be base64");
      }
      if (!(json.getValue("contentType") instanceof String type)) {
        throw ErrorCode.INVALID_REQUEST.exception("'contentType' is required with 'content'");
      }
      return new DocumentInput(id, (String) title, null, bytes, type, metadata);
    }
    throw ErrorCode.INVALID_REQUEST.exception("give either 'text' (a non-empty string) or 'content' with 'contentType'");
  }

  /** The document as {@link #from} reads it (how an ingestion job stores its documents). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id);
    if (title != null) {
      json.put("title", title);
    }
    if (text != null) {
      json.put("text", text);
    } else {
      json.put("content", java.util.Base64.getEncoder().encodeToString(content));
    }
    if (contentType != null) {
      json.put("contentType", contentType);
    }
    if (!metadata.isEmpty()) {
      json.put("metadata", metadataJson());
    }
    return json;
  }

  public JsonObject metadataJson() {
    JsonObject json = new JsonObject();
    metadata.forEach(json::put);
    return json;
  }
}
