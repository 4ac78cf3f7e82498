package io.ganglion.reflex;

import io.ganglion.config.ConfigException;
import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;
import io.ganglion.reflex.injection.CascadeThresholds;
import io.ganglion.reflex.injection.InjectionOverride;
import io.ganglion.reflex.pii.PhoneDetector;
import io.ganglion.reflex.pii.PiiAction;
import io.ganglion.reflex.pii.PiiTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The reflex verticle's configuration: PII actions per type and direction, custom PII patterns, and the injection
 * detector's threshold and action. Parsed once at start by {@link #from}; every problem names its key.
 *
 * @param piiEnabled whether PII is detected at all ({@code reflex.pii.enabled})
 * @param piiActions per type, the action per direction ({@code reflex.pii.actions.<type>}: one action for all
 *                   directions, or {@code {input, output, stored}})
 * @param piiFallback the action for types without an entry ({@code reflex.pii.actions.default})
 * @param hashSalt salt of {@link PiiAction#HASH} digests ({@code reflex.pii.hashSalt}); empty means a random salt
 *                 per process, so hashes then only correlate within one node's lifetime
 * @param entropyMinLength shortest token the entropy detector considers ({@code reflex.pii.entropy.minLength})
 * @param entropyBitsPerChar entropy a token needs to count as a secret ({@code reflex.pii.entropy.bitsPerChar})
 * @param custom custom PII types ({@code reflex.pii.custom}: a list of {@code {name, pattern, score}})
 * @param injectionEnabled whether injection detection runs ({@code reflex.injection.enabled})
 * @param injectionThreshold score at or above which text counts as an injection ({@code reflex.injection.threshold})
 * @param injectionAction what an injection causes ({@code reflex.injection.action}: {@code block} or {@code flag})
 * @param injectionDirections the directions injection detection runs for ({@code reflex.injection.directions})
 * @param cascade the injection cascade's bands around the threshold ({@code reflex.injection.cascade.ngramLow},
 *                {@code .ngramHigh}, {@code .exemplarLow}, {@code .exemplarHigh}); its threshold is
 *                {@code injectionThreshold}
 * @param injectionShadow log-only mode ({@code reflex.injection.shadow}): verdicts are computed, reported, logged and
 *                        counted, but never change the action — to watch a new detector on live traffic first
 * @param injectionOverrides per-tenant or per-knowledge-base thresholds and allowed phrases
 *                           ({@code reflex.injection.overrides}: a list of {@code {tenant?, kb?, threshold?, allow?}})
 * @param phoneRegions the regions national phone numbers are read for, most likely first ({@code reflex.pii.phone.regions});
 *                     each costs time on every prompt with a phone-shaped number
 * @param indirectAction what happens to a retrieved passage or tool result found to carry instructions
 *                       ({@code reflex.injection.indirect.action}: {@link IndirectInjectionPolicy})
 * @param phoneLeniency how strictly libphonenumber verifies a number ({@code reflex.pii.phone.leniency}:
 *                      {@code possible}, {@code valid}, {@code strict_grouping} or {@code exact_grouping})
 */
public record ReflexConfig(
  boolean piiEnabled,
  Map<String, Map<Direction, PiiAction>> piiActions,
  PiiAction piiFallback,
  String hashSalt,
  int entropyMinLength,
  double entropyBitsPerChar,
  List<CustomPattern> custom,
  boolean injectionEnabled,
  double injectionThreshold,
  InjectionAction injectionAction,
  Set<Direction> injectionDirections,
  CascadeThresholds cascade,
  boolean injectionShadow,
  List<InjectionOverride> injectionOverrides,
  List<String> phoneRegions,
  Leniency phoneLeniency,
  IndirectInjectionPolicy indirectAction) {

  /** A configured PII type found by a regular expression. */
  public record CustomPattern(String name, Pattern pattern, double score) {
  }

  public ReflexConfig {
    piiActions = Map.copyOf(piiActions);
    custom = List.copyOf(custom);
    injectionDirections = Set.copyOf(injectionDirections);
    injectionOverrides = List.copyOf(injectionOverrides);
    phoneRegions = List.copyOf(phoneRegions);
  }

  /** Every built-in type masked in every direction, except IP addresses, which pass in and out and are masked in storage. */
  public static Map<String, Map<Direction, PiiAction>> defaultPiiActions() {
    Map<String, Map<Direction, PiiAction>> actions = new LinkedHashMap<>();
    for (String type : PiiTypes.BUILT_IN) {
      actions.put(type, allDirections(PiiAction.MASK));
    }
    Map<Direction, PiiAction> ip = Map.of(
      Direction.INPUT, PiiAction.ALLOW, Direction.OUTPUT, PiiAction.ALLOW, Direction.STORED, PiiAction.MASK);
    actions.put(PiiTypes.IPV4, ip);
    actions.put(PiiTypes.IPV6, ip);
    return actions;
  }

  /** The defaults: all of PII on, masked; injection on for input, blocking at 0.6 (the cascade's defaults). */
  public static ReflexConfig defaults() {
    CascadeThresholds cascade = CascadeThresholds.DEFAULTS;
    return new ReflexConfig(true, defaultPiiActions(), PiiAction.MASK, "", 24, 4.0, List.of(),
      true, cascade.threshold(), InjectionAction.BLOCK, EnumSet.of(Direction.INPUT), cascade, false, List.of(),
      PhoneDetector.DEFAULT_REGIONS, Leniency.VALID, IndirectInjectionPolicy.WITHHOLD);
  }

  /**
   * Parses the {@code reflex} object of the configuration; missing keys take their defaults.
   *
   * @param json the {@code reflex} object, or {@code null}
   * @throws ConfigException naming the first bad key
   */
  public static ReflexConfig from(JsonObject json) {
    ReflexConfig d = defaults();
    JsonObject root = json == null ? new JsonObject() : json;
    JsonObject pii = object(root, "pii", "reflex.pii");
    JsonObject entropy = object(pii, "entropy", "reflex.pii.entropy");
    JsonObject injection = object(root, "injection", "reflex.injection");
    JsonObject actions = object(pii, "actions", "reflex.pii.actions");

    List<CustomPattern> custom = customPatterns(pii);
    PiiAction fallback = actions.containsKey("default")
      ? action(actions.getValue("default"), "reflex.pii.actions.default") : d.piiFallback();
    Map<String, Map<Direction, PiiAction>> piiActions = new LinkedHashMap<>(d.piiActions());
    for (String type : actions.fieldNames()) {
      if (type.equals("default")) {
        continue;
      }
      String key = "reflex.pii.actions." + type;
      if (!PiiTypes.BUILT_IN.contains(type) && custom.stream().noneMatch(c -> c.name().equals(type))) {
        throw new ConfigException(key, "unknown PII type; expected one of " + PiiTypes.BUILT_IN
          + " or a name from reflex.pii.custom");
      }
      piiActions.put(type, actionsByDirection(actions.getValue(type), key));
    }

    double threshold = number(injection, "threshold", d.injectionThreshold(), 0, 1, "reflex.injection.threshold");
    JsonObject phone = object(pii, "phone", "reflex.pii.phone");
    return new ReflexConfig(
      bool(pii, "enabled", d.piiEnabled(), "reflex.pii.enabled"),
      piiActions,
      fallback,
      string(pii, "hashSalt", d.hashSalt(), "reflex.pii.hashSalt"),
      (int) number(entropy, "minLength", d.entropyMinLength(), 8, 4096, "reflex.pii.entropy.minLength"),
      number(entropy, "bitsPerChar", d.entropyBitsPerChar(), 1, 7, "reflex.pii.entropy.bitsPerChar"),
      custom,
      bool(injection, "enabled", d.injectionEnabled(), "reflex.injection.enabled"),
      threshold,
      injection.containsKey("action")
        ? injectionAction(injection.getValue("action")) : d.injectionAction(),
      injection.containsKey("directions")
        ? directions(injection.getValue("directions")) : d.injectionDirections(),
      cascade(object(injection, "cascade", "reflex.injection.cascade"), threshold),
      bool(injection, "shadow", d.injectionShadow(), "reflex.injection.shadow"),
      overrides(injection.getValue("overrides")),
      phoneRegions(phone.getValue("regions")),
      leniency(phone.getValue("leniency")),
      IndirectInjectionPolicy.from(root));
  }

  // the bands default to the defaults' bands moved to the configured threshold; given ones must fit around it
  private static CascadeThresholds cascade(JsonObject json, double threshold) {
    CascadeThresholds moved = CascadeThresholds.DEFAULTS.at(threshold);
    try {
      return new CascadeThresholds(threshold,
        number(json, "ngramLow", moved.ngramLow(), 0, 1, "reflex.injection.cascade.ngramLow"),
        number(json, "ngramHigh", moved.ngramHigh(), 0, 1, "reflex.injection.cascade.ngramHigh"),
        number(json, "exemplarLow", moved.exemplarLow(), 0, 1, "reflex.injection.cascade.exemplarLow"),
        number(json, "exemplarHigh", moved.exemplarHigh(), 0, 1, "reflex.injection.cascade.exemplarHigh"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("reflex.injection.cascade", e.getMessage());
    }
  }

  private static List<InjectionOverride> overrides(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException("reflex.injection.overrides", "must be a list of {tenant?, kb?, threshold?, allow?}");
    }
    List<InjectionOverride> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String key = "reflex.injection.overrides[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw new ConfigException(key, "must be an object {tenant?, kb?, threshold?, allow?}");
      }
      for (String field : entry.fieldNames()) {
        if (!List.of("tenant", "kb", "threshold", "allow").contains(field)) {
          throw new ConfigException(key + "." + field, "unknown key; expected tenant, kb, threshold or allow");
        }
      }
      String tenant = entry.getValue("tenant") == null ? null : string(entry, "tenant", "", key + ".tenant");
      String kb = entry.getValue("kb") == null ? null : string(entry, "kb", "", key + ".kb");
      if (tenant == null && kb == null) {
        throw new ConfigException(key, "needs a tenant, a kb or both");
      }
      Double overrideThreshold = entry.getValue("threshold") == null ? null
        : number(entry, "threshold", 0, 0, 1, key + ".threshold");
      List<Pattern> allow = new ArrayList<>();
      Object phrases = entry.getValue("allow");
      if (phrases != null && !(phrases instanceof JsonArray)) {
        throw new ConfigException(key + ".allow", "must be a list of regular expressions");
      }
      JsonArray allowList = phrases == null ? new JsonArray() : (JsonArray) phrases;
      for (int k = 0; k < allowList.size(); k++) {
        try {
          allow.add(Pattern.compile(String.valueOf(allowList.getValue(k)),
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
        } catch (PatternSyntaxException e) {
          throw new ConfigException(key + ".allow[" + k + "]", "not a valid regular expression: " + e.getDescription());
        }
      }
      out.add(new InjectionOverride(tenant, kb, overrideThreshold, allow));
    }
    return out;
  }

  private static List<String> phoneRegions(Object value) {
    if (value == null) {
      return PhoneDetector.DEFAULT_REGIONS;
    }
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException("reflex.pii.phone.regions", "must be a list of region codes such as [\"US\", \"DE\"]");
    }
    List<String> regions = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String region = String.valueOf(list.getValue(i)).toUpperCase(java.util.Locale.ROOT);
      if (!PhoneDetector.knowsRegion(region)) {
        throw new ConfigException("reflex.pii.phone.regions[" + i + "]", "unknown region '" + list.getValue(i) + "'");
      }
      regions.add(region);
    }
    return regions;
  }

  private static Leniency leniency(Object value) {
    if (value == null) {
      return Leniency.VALID;
    }
    try {
      return Leniency.valueOf(String.valueOf(value).toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("reflex.pii.phone.leniency",
        "expected possible, valid, strict_grouping or exact_grouping, got '" + value + "'");
    }
  }

  private static List<CustomPattern> customPatterns(JsonObject pii) {
    Object value = pii.getValue("custom");
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException("reflex.pii.custom", "must be a list of {name, pattern}");
    }
    List<CustomPattern> patterns = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String key = "reflex.pii.custom[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw new ConfigException(key, "must be an object {name, pattern}");
      }
      String name = string(entry, "name", "", key + ".name");
      if (!name.matches("[a-z][a-z0-9_]{0,39}")) {
        throw new ConfigException(key + ".name", "must be lower-case letters, digits and '_', got '" + name + "'");
      }
      if (PiiTypes.BUILT_IN.contains(name) || name.equals("default")
        || patterns.stream().anyMatch(p -> p.name().equals(name))) {
        throw new ConfigException(key + ".name", "'" + name + "' is already taken");
      }
      String regex = string(entry, "pattern", "", key + ".pattern");
      if (regex.isEmpty()) {
        throw new ConfigException(key + ".pattern", "is required");
      }
      try {
        patterns.add(new CustomPattern(name, Pattern.compile(regex),
          number(entry, "score", 0.9, 0, 1, key + ".score")));
      } catch (PatternSyntaxException e) {
        throw new ConfigException(key + ".pattern", "not a valid regular expression: " + e.getDescription());
      }
    }
    return patterns;
  }

  private static Map<Direction, PiiAction> actionsByDirection(Object value, String key) {
    if (!(value instanceof JsonObject perDirection)) {
      return allDirections(action(value, key));
    }
    Map<Direction, PiiAction> map = new EnumMap<>(Direction.class);
    for (String field : perDirection.fieldNames()) {
      Direction direction;
      try {
        direction = Direction.parse(field);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key + "." + field, e.getMessage());
      }
      map.put(direction, action(perDirection.getValue(field), key + "." + field));
    }
    return map;
  }

  private static Map<Direction, PiiAction> allDirections(PiiAction action) {
    Map<Direction, PiiAction> map = new EnumMap<>(Direction.class);
    for (Direction d : Direction.values()) {
      map.put(d, action);
    }
    return map;
  }

  private static PiiAction action(Object value, String key) {
    try {
      return PiiAction.parse(String.valueOf(value));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }

  private static InjectionAction injectionAction(Object value) {
    try {
      return InjectionAction.parse(String.valueOf(value));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("reflex.injection.action", e.getMessage());
    }
  }

  private static Set<Direction> directions(Object value) {
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException("reflex.injection.directions", "must be a list such as [\"input\"]");
    }
    Set<Direction> set = EnumSet.noneOf(Direction.class);
    for (int i = 0; i < list.size(); i++) {
      try {
        set.add(Direction.parse(String.valueOf(list.getValue(i))));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("reflex.injection.directions[" + i + "]", e.getMessage());
      }
    }
    return set;
  }

  private static JsonObject object(JsonObject parent, String field, String key) {
    Object value = parent.getValue(field);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject o)) {
      throw new ConfigException(key, "must be an object");
    }
    return o;
  }

  private static boolean bool(JsonObject o, String field, boolean fallback, String key) {
    Object value = o.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean b)) {
      throw new ConfigException(key, "must be true or false, got " + value);
    }
    return b;
  }

  private static String string(JsonObject o, String field, String fallback, String key) {
    Object value = o.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s)) {
      throw new ConfigException(key, "must be a string");
    }
    return s;
  }

  private static double number(JsonObject o, String field, double fallback, double min, double max, String key) {
    Object value = o.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n)) {
      throw new ConfigException(key, "must be a number, got " + value);
    }
    double v = n.doubleValue();
    if (!(v >= min && v <= max)) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }
}
