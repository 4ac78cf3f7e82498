package io.ganglion.reflex.rules;

import io.ganglion.config.ConfigException;
import io.ganglion.reflex.ReflexRulesConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules in force: the configuration's inline rules, replaced by the rules file while it exists and parses. The
 * file is re-read when its modification time or size changes and has then stayed the same for one check interval (so
 * a file caught half-written, for example truncated by an editor's save, is never loaded); a file that does not parse
 * keeps the previous rules and logs why. The file holds a list of rules, or {@code {rules: [...]}}, as YAML or (named {@code *.json}) JSON.
 * <p>
 * <b>NOTE</b>: the rule list is swapped as a whole through a volatile field, so {@link #first} may run on any thread;
 * reloading runs on the context that called {@link #start}.
 */
public final class RuleBook {

  private static final Logger LOG = LoggerFactory.getLogger(RuleBook.class);

  private final Vertx vertx;
  private final ReflexRulesConfig config;
  private volatile List<Rule> rules;
  private String loadedStamp = "";
  /** The change seen at the last check but not loaded yet: it loads once a check sees it again, unchanged. */
  private String changedStamp = "";
  private long timer = -1;

  public RuleBook(Vertx vertx, ReflexRulesConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.rules = config.inline();
  }

  /** Loads the rules file if there is one and starts watching it; completes once the first check is done. */
  public Future<Void> start() {
    if (config.file().isEmpty()) {
      return Future.succeededFuture();
    }
    timer = vertx.setPeriodic(config.checkMs(), id -> check(false));
    return check(true);
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** The rules in force, in order. */
  public List<Rule> rules() {
    return rules;
  }

  /** The first rule matching a question asked of {@code kb}. */
  public Optional<Rule> first(String kb, String question) {
    for (Rule rule : rules) {
      if (rule.matches(kb, question)) {
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }

  private Future<Void> check(boolean first) {
    String file = config.file();
    return vertx.fileSystem().exists(file).<Void>compose(exists -> {
      if (!exists) {
        if (!loadedStamp.isEmpty()) {
          LOG.info("rules file {} is gone: back to the {} rules of the configuration", file, config.inline().size());
          loadedStamp = "";
          rules = config.inline();
        }
        return Future.succeededFuture();
      }
      return vertx.fileSystem().props(file).<Void>compose(props -> {
        String stamp = stamp(props);
        if (stamp.equals(loadedStamp)) {
          return Future.succeededFuture();
        }
        if (!first && !stamp.equals(changedStamp)) {
          changedStamp = stamp;
          return Future.succeededFuture();
        }
        return vertx.fileSystem().readFile(file).<Void>map(buffer -> {
          loadedStamp = stamp;
          try {
            List<Rule> parsed = parse(buffer.toString(), file);
            rules = parsed;
            LOG.info("loaded {} reflex rules from {}", parsed.size(), file);
          } catch (ConfigException e) {
            LOG.warn("rules file {} not loaded, keeping the {} rules in force: {}", file, rules.size(), e.getMessage());
          }
          return null;
        });
      });
    }).recover(e -> {
      LOG.warn("cannot read rules file {}: {}", file, e.getMessage());
      return Future.succeededFuture();
    });
  }

  private static String stamp(FileProps props) {
    return props.lastModifiedTime() + ":" + props.size();
  }

  /** Parses rules file text: a list of rules, or {@code {rules: [...]}}; JSON when the name ends in .json. */
  @SuppressWarnings("unchecked")
  static List<Rule> parse(String text, String file) {
    Object tree;
    try {
      tree = file.endsWith(".json") ? new JsonArray("[" + text + "]").getValue(0)
        : new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (RuntimeException e) {
      throw new ConfigException(file, "not valid " + (file.endsWith(".json") ? "JSON" : "YAML") + ": " + e.getMessage());
    }
    if (tree instanceof Map<?, ?> map) {
      tree = new JsonObject((Map<String, Object>) map).getValue("rules");
    } else if (tree instanceof List<?> list) {
      tree = new JsonArray((List<Object>) list);
    } else if (tree instanceof JsonObject object) {
      tree = object.getValue("rules");
    }
    if (tree == null) {
      return List.of();
    }
    return RuleParser.parse(tree, file);
  }
}
