package io.ganglion.orchestration;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Parses a Server-Sent Events body the way EventSource does: blank-line separated, comments skipped, data joined. */
public final class SseEvents {

  /** One event; {@code name} is {@code message} when the event had no {@code event:} line. */
  public record Event(String name, String data) {
    public JsonObject json() {
      return new JsonObject(data);
    }
  }

  private SseEvents() {
  }

  public static List<Event> parse(String body) {
    List<Event> events = new ArrayList<>();
    String name = null;
    StringBuilder data = null;
    for (String line : body.split("\r?\n", -1)) {
      if (line.isEmpty()) {
        if (data != null) {
          events.add(new Event(name == null ? "message" : name, data.toString()));
        }
        name = null;
        data = null;
      } else if (line.startsWith(":")) {
        continue;
      } else if (line.startsWith("event:")) {
        name = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        String value = line.substring(5);
        value = value.startsWith(" ") ? value.substring(1) : value;
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    return events;
  }
}
