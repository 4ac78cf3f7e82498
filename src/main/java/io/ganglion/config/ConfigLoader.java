package io.ganglion.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Layers the configuration: the defaults ({@code conf/ganglion.yaml}, built into the jar) &lt; an optional operator
 * file ({@code --config FILE} or {@code GANGLION_CONFIG}) &lt; environment variables &lt; command-line options.
 * <p>
 * Only keys present in the defaults can be overridden, and each override is parsed to the type of its default, so a
 * typo on the command line or a non-numeric port fails start with a message naming the key. Environment variables are
 * {@code GANGLION_} plus the key path in upper snake case ({@code inference.maxBatch} is
 * {@code GANGLION_INFERENCE_MAX_BATCH}).
 */
public final class ConfigLoader {

  public static final String DEFAULTS_RESOURCE = "ganglion.yaml";
  public static final String ENV_PREFIX = "GANGLION_";
  static final String CONFIG_FILE_ENV = "GANGLION_CONFIG";

  private ConfigLoader() {
  }

  /** The merged configuration tree for these command-line arguments and this environment. */
  public static JsonObject load(List<String> args, Map<String, String> env) {
    JsonObject merged = defaults();
    Map<String, String> options = parseOptions(args);
    String file = options.containsKey("config") ? options.remove("config") : env.get(CONFIG_FILE_ENV);
    if (file != null && !file.isBlank()) {
      merged.mergeIn(readFile(Path.of(file)), true);
    }
    JsonObject envLayer = new JsonObject();
    JsonObject cliLayer = new JsonObject();
    for (String key : leafKeys(merged, "")) {
      String fromEnv = env.get(envName(key));
      if (fromEnv != null) {
        put(envLayer, key, typed(key, fromEnv, get(merged, key)));
      }
    }
    for (Map.Entry<String, String> option : options.entrySet()) {
      Object current = get(merged, option.getKey());
      if (current == null && !hasKey(merged, option.getKey())) {
        throw new ConfigException(option.getKey(), "unknown option --" + option.getKey());
      }
      put(cliLayer, option.getKey(), typed(option.getKey(), option.getValue(), current));
    }
    return merged.mergeIn(envLayer, true).mergeIn(cliLayer, true);
  }

  /** The defaults built into the jar. */
  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
      }
      return yaml(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), DEFAULTS_RESOURCE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + DEFAULTS_RESOURCE, e);
    }
  }

  /** {@code inference.maxBatch} → {@code GANGLION_INFERENCE_MAX_BATCH}. */
  public static String envName(String key) {
    StringBuilder name = new StringBuilder(ENV_PREFIX);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '.') {
        name.append('_');
      } else if (Character.isUpperCase(c)) {
        name.append('_').append(c);
      } else {
        name.append(Character.toUpperCase(c));
      }
    }
    return name.toString();
  }

  static Map<String, String> parseOptions(List<String> args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new ConfigException(arg, "options look like --key=value or --key value");
      }
      String body = arg.substring(2);
      int eq = body.indexOf('=');
      if (eq > 0) {
        options.put(body.substring(0, eq), body.substring(eq + 1));
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        options.put(body, args.get(++i));
      } else {
        throw new ConfigException(body, "option --" + body + " needs a value");
      }
    }
    return options;
  }

  private static JsonObject readFile(Path file) {
    try {
      String text = Files.readString(file);
      return file.toString().endsWith(".json") ? new JsonObject(text) : yaml(text, file.toString());
    } catch (IOException e) {
      throw new ConfigException("config", "cannot read " + file + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException("config", "cannot parse " + file + ": " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject yaml(String text, String source) {
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    if (tree == null) {
      return new JsonObject();
    }
    if (!(tree instanceof Map)) {
      throw new ConfigException("config", source + " must hold a mapping at its top level");
    }
    return new JsonObject((Map<String, Object>) tree);
  }

  private static Object typed(String key, String raw, Object current) {
    String value = raw.trim();
    if (current instanceof Boolean) {
      if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
        throw new ConfigException(key, "must be true or false, got '" + raw + "'");
      }
      return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
    }
    try {
      if (current instanceof Integer || current instanceof Long) {
        return Long.parseLong(value);
      }
      if (current instanceof Number) {
        return Double.parseDouble(value);
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be a number, got '" + raw + "'");
    }
    if (current instanceof JsonArray) {
      List<Object> items = new ArrayList<>();
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
      return new JsonArray(items);
    }
    if (current instanceof JsonObject) {
      try {
        return new JsonObject(value);
      } catch (RuntimeException e) {
        throw new ConfigException(key, "must be a JSON object, got '" + raw + "'");
      }
    }
    return raw;
  }

  /** Every leaf key of {@code tree} ({@code http.port}); lists and empty mappings are leaves. */
  static List<String> leafKeys(JsonObject tree, String prefix) {
    List<String> keys = new ArrayList<>();
    for (String field : tree.fieldNames()) {
      Object value = tree.getValue(field);
      String key = prefix.isEmpty() ? field : prefix + "." + field;
      if (value instanceof JsonObject child && !child.isEmpty()) {
        keys.addAll(leafKeys(child, key));
      } else {
        keys.add(key);
      }
    }
    return keys;
  }

  private static boolean hasKey(JsonObject tree, String key) {
    int dot = key.lastIndexOf('.');
    JsonObject parent = dot < 0 ? tree : at(tree, key.substring(0, dot));
    return parent != null && parent.containsKey(dot < 0 ? key : key.substring(dot + 1));
  }

  private static Object get(JsonObject tree, String key) {
    int dot = key.lastIndexOf('.');
    JsonObject parent = dot < 0 ? tree : at(tree, key.substring(0, dot));
    return parent == null ? null : parent.getValue(dot < 0 ? key : key.substring(dot + 1));
  }

  private static JsonObject at(JsonObject tree, String path) {
    JsonObject node = tree;
    for (String part : path.split("\\.")) {
      Object next = node.getValue(part);
      if (!(next instanceof JsonObject child)) {
        return null;
      }
      node = child;
    }
    return node;
  }

  private static void put(JsonObject tree, String key, Object value) {
    String[] parts = key.split("\\.");
    JsonObject node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }
}
