package io.ganglion.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads typed, range-checked values from one section of the configuration tree; every failure is a
 * {@link ConfigException} naming the full key ({@code http.port}).
 */
public final class ConfigReader {

  private final JsonObject section;
  private final String prefix;

  public ConfigReader(JsonObject section, String prefix) {
    this.section = section == null ? new JsonObject() : section;
    this.prefix = prefix;
  }

  /** A reader over the child section {@code name}; absent sections read as empty (all defaults). */
  public ConfigReader child(String name) {
    Object value = section.getValue(name);
    if (value != null && !(value instanceof JsonObject)) {
      throw new ConfigException(key(name), "must be a mapping");
    }
    return new ConfigReader((JsonObject) value, key(name));
  }

  public String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  public int integer(String name, int defaultValue, int min, int max) {
    long value = longValue(name, defaultValue, min, max);
    return (int) value;
  }

  public long longValue(String name, long defaultValue, long min, long max) {
    Object raw = section.getValue(name);
    long value;
    if (raw == null) {
      value = defaultValue;
    } else if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      value = n.longValue();
    } else if (raw instanceof String s && s.trim().matches("-?\\d+")) {
      value = Long.parseLong(s.trim());
    } else {
      throw new ConfigException(key(name), "must be a whole number, got '" + raw + "'");
    }
    if (value < min || value > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  public double decimal(String name, double defaultValue, double min, double max) {
    Object raw = section.getValue(name);
    double value;
    if (raw == null) {
      value = defaultValue;
    } else if (raw instanceof Number n) {
      value = n.doubleValue();
    } else {
      try {
        value = Double.parseDouble(raw.toString().trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key(name), "must be a number, got '" + raw + "'");
      }
    }
    if (!(value >= min && value <= max)) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  public boolean bool(String name, boolean defaultValue) {
    Object raw = section.getValue(name);
    if (raw == null) {
      return defaultValue;
    }
    if (raw instanceof Boolean b) {
      return b;
    }
    String s = raw.toString().trim();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new ConfigException(key(name), "must be true or false, got '" + raw + "'");
  }

  /** A string; {@code null} and blank read as {@code defaultValue}. */
  public String string(String name, String defaultValue) {
    Object raw = section.getValue(name);
    if (raw == null || raw.toString().isBlank()) {
      return defaultValue;
    }
    if (raw instanceof JsonObject || raw instanceof JsonArray) {
      throw new ConfigException(key(name), "must be a single value");
    }
    return raw.toString().trim();
  }

  /** One of {@code allowed} (case-insensitive), returned in lower case. */
  public String oneOf(String name, String defaultValue, String... allowed) {
    String value = string(name, defaultValue).toLowerCase(java.util.Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(value)) {
        return value;
      }
    }
    throw new ConfigException(key(name), "must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
  }

  /** A list of strings; a comma-separated string is accepted too. */
  public List<String> strings(String name) {
    Object raw = section.getValue(name);
    List<String> out = new ArrayList<>();
    if (raw == null) {
      return out;
    }
    if (raw instanceof JsonArray array) {
      for (Object item : array) {
        if (item == null || item instanceof JsonObject || item instanceof JsonArray) {
          throw new ConfigException(key(name), "must be a list of strings");
        }
        if (!item.toString().isBlank()) {
          out.add(item.toString().trim());
        }
      }
      return out;
    }
    for (String item : raw.toString().split(",")) {
      if (!item.isBlank()) {
        out.add(item.trim());
      }
    }
    return out;
  }

  public JsonObject raw() {
    return section;
  }
}
