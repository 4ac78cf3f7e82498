package io.ganglion.reflex;

import io.ganglion.bus.Addresses;
import io.ganglion.bus.ErrorCode;
import io.ganglion.bus.Handlers;
import io.ganglion.cluster.Cluster;
import io.ganglion.bus.PublicAddress;
import io.ganglion.bus.MeterRegistries;
import io.ganglion.bus.Status;
import io.ganglion.config.GanglionConfig;
import io.ganglion.orchestration.OrchestrationConfig;
import io.ganglion.bus.AskStreams;
import io.ganglion.reflex.cache.KbVersions;
import io.ganglion.reflex.cache.ResponseCache;
import io.ganglion.reflex.impl.AskGate;
import io.ganglion.reflex.impl.PassageVerdicts;
import io.ganglion.reflex.impl.PolicyVersion;
import io.ganglion.reflex.injection.InjectionDetector;
import io.ganglion.reflex.pii.Finding;
import io.ganglion.reflex.rules.RuleBook;
import io.ganglion.store.Stores;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;

import java.util.List;

/**
 * Reflex: inspects text on the way in and out — PII detection and redaction, prompt-injection detection — and
 * stands in front of the orchestrator with the reflex rules and the response cache, all on the event loop, in well
 * under a millisecond for a typical prompt. The injection model is trained once at start on a worker thread (a
 * fraction of a second); after that nothing here blocks. Redis (the cache's second layer) is only ever awaited with
 * a short deadline.
 */
public final class ReflexVerticle extends VerticleBase {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReflexVerticle.class);

  /** Largest text inspected in one call (characters); longer texts fail with 413. */
  public static final int MAX_TEXT_CHARS = 1_000_000;

  /** Reply header of {@code ganglion.reflex.ask}: {@code hit} or {@code miss}. */
  public static final String CACHE_HEADER = "x-ganglion-cache";
  /** Request header of {@code ganglion.reflex.ask}: {@code no-cache} skips the cache look-up. */
  public static final String REFRESH_HEADER = "x-ganglion-cache-control";
  /** Reply header of {@code ganglion.reflex.ask}: the rule that answered or routed the question. */
  public static final String RULE_HEADER = "x-ganglion-rule";

  private Inspector inspector;
  private MeterRegistry meters;
  private Timer latency;
  private Timer askLatency;
  private io.micrometer.core.instrument.Counter verdictHits;
  private RuleBook rules;
  private KbVersions versions;
  private AskGate gate;
  private Redis redis;
  private long askTimeoutMs;
  private Cache<String, Inspection> verdicts;
  private PassageVerdicts passageVerdicts;
  private int verdictMaxChars;
  private String policy;
  private HitView hits;

  @Override
  public Future<?> start() {
    ReflexConfig config = ReflexConfig.from(config().getJsonObject("reflex"));
    ReflexCacheConfig cacheConfig = ReflexCacheConfig.from(config().getJsonObject("reflex"));
    GanglionConfig global = GanglionConfig.from(config());
    askTimeoutMs = OrchestrationConfig.from(config()).timeoutMs() + 1_000;
    meters = MeterRegistries.of(vertx);
    latency = Timer.builder("ganglion.reflex.inspect").description("time to inspect one text").register(meters);
    verdictHits = meters.counter("ganglion.reflex.verdicts.hits");
    askLatency = Timer.builder("ganglion.reflex.ask").description("time to answer from the rules or the cache")
      .register(meters);
    rules = new RuleBook(vertx, ReflexRulesConfig.from(config().getJsonObject("reflex")));
    // in a cluster a version is trusted for cache hits only as long as an ingest waits for acknowledgements: a node
    // that missed a change stops vouching for the old version before the writer hears back
    versions = new KbVersions(vertx, global.busTimeoutMs(),
      global.cluster().enabled() ? global.cluster().invalidationWaitMs() : 0);
    ReflexVerdictsConfig verdictConfig = ReflexVerdictsConfig.from(config().getJsonObject("reflex"));
    verdicts = verdictConfig.maxEntries() == 0 ? null : Caffeine.newBuilder().maximumSize(verdictConfig.maxEntries())
      .build();
    verdictMaxChars = verdictConfig.maxChars();
    passageVerdicts = verdictConfig.maxEntries() == 0 ? null
      : new PassageVerdicts(verdictConfig.maxEntries(), verdictConfig.maxChars());
    var bus = vertx.eventBus();
    ReflexClient.registerCodecs(vertx);
    return vertx.executeBlocking(InjectionDetector::bundled)
      .compose(detector -> {
        inspector = new Inspector(config, detector);
        policy = PolicyVersion.of(config().getJsonObject("reflex"), inspector.detectorVersions());
        ResponseCache cache = null;
        if (cacheConfig.enabled()) {
          redis = Stores.redis(vertx, global.redis());
          cache = new ResponseCache(cacheConfig, redis, meters, policy);
        }
        java.util.function.BooleanSupplier quorate = Cluster.membership(vertx)::quorate;
        gate = new AskGate(vertx, rules, cache, versions, meters, quorate, inspector);
        if (cache != null) {
          hits = new HitView(rules, versions, cache, askLatency, quorate);
          hits.publish(vertx);
        }
        LOG.info("reflex policy {} (detectors {})", policy, inspector.detectorVersions());
        return Future.all(List.of(
          rules.start(),
          PublicAddress.register(bus, Addresses.REFLEX_INSPECT, Handlers.replying(this::inspect)),
          PublicAddress.register(bus, Addresses.REFLEX_INSPECT_PASSAGES, Handlers.replying(this::inspectPassages)),
          bus.<JsonObject>consumer(Addresses.REFLEX_ASK, this::ask).completion(),
          bus.<ReflexAsk>localConsumer(Addresses.REFLEX_ASK_LOCAL, this::askLocal).completion(),
          versions.watch(bus),
          bus.<JsonObject>localConsumer(Addresses.RETRIEVAL_KB_VERSIONS, msg -> versions.confirmed(msg.body())).completion(),
          Status.register(vertx, Addresses.REFLEX_STATUS, "reflex", JsonObject::new)));
      });
  }

  @Override
  public Future<?> stop() {
    if (hits != null) {
      hits.withdraw(vertx);
    }
    if (versions != null) {
      versions.unwatch(vertx.eventBus());
    }
    if (rules != null) {
      rules.stop();
    }
    return redis == null ? Future.succeededFuture() : redis.close();
  }

  private Future<JsonObject> inspect(JsonObject body) {
    Object text = body.getValue("text");
    if (!(text instanceof String s)) {
      throw ErrorCode.INVALID_REQUEST.exception("'text' is required and must be a string");
    }
    if (s.length() > MAX_TEXT_CHARS) {
      throw ErrorCode.PAYLOAD_TOO_LARGE.exception("'text' is longer than " + MAX_TEXT_CHARS + " characters");
    }
    Direction direction;
    try {
      direction = Direction.parse(body.getString("direction", "input"));
    } catch (IllegalArgumentException | ClassCastException e) {
      throw ErrorCode.INVALID_REQUEST.exception("'direction' must be input, output or stored");
    }
    String tenant = body.getValue("tenant") instanceof String t ? t : null;
    String kb = body.getValue("kb") instanceof String k ? k : null;
    long started = System.nanoTime();
    boolean cacheable = verdicts != null && s.length() <= verdictMaxChars;
    // NUL cannot occur in a tenant id or KB name, so the parts of the key cannot run into each other
    String key = cacheable ? direction.ordinal() + "\0" + tenant + "\0" + kb + "\0" + s : null;
    Inspection inspection = cacheable ? verdicts.getIfPresent(key) : null;
    if (inspection != null) {
      verdictHits.increment();
    } else {
      inspection = inspector.inspect(s, direction, inspector.newRedactor(direction), tenant, kb);
      if (cacheable) {
        verdicts.put(key, inspection);
      }
    }
    latency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    count(inspection);
    return Future.succeededFuture(inspection.toJson());
  }

  /** Passages per request to {@code ganglion.reflex.inspect.passages}; more fail with 413. */
  public static final int MAX_PASSAGES = 64;
  // above this many passages to inspect the detection runs on a worker, not on the event loop (a chunk of ~250 tokens
  // costs ~0.5 ms, its sentences scored one by one)
  private static final int INLINE_PASSAGES = 4;

  private Future<JsonObject> inspectPassages(JsonObject body) {
    if (!(body.getValue("texts") instanceof io.vertx.core.json.JsonArray array)) {
      throw ErrorCode.INVALID_REQUEST.exception("'texts' is required and must be a list of strings");
    }
    if (array.size() > MAX_PASSAGES) {
      throw ErrorCode.PAYLOAD_TOO_LARGE.exception("at most " + MAX_PASSAGES + " texts per request");
    }
    java.util.List<String> texts = new java.util.ArrayList<>(array.size());
    for (Object o : array) {
      if (!(o instanceof String t) || t.length() > MAX_TEXT_CHARS) {
        throw ErrorCode.INVALID_REQUEST.exception("every text must be a string of at most " + MAX_TEXT_CHARS
          + " characters");
      }
      texts.add(t);
    }
    java.util.List<JsonObject> recorded = marks(body.getValue("marks"), texts.size());
    String tenant = body.getValue("tenant") instanceof String t ? t : null;
    String kb = body.getValue("kb") instanceof String k ? k : null;
    // passages with a current recorded verdict, or one this verticle made at an earlier ask, cost nothing; missing and
    // outdated ones (after a detector upgrade or a threshold change, every chunk ingested before) are inspected
    PassageVerdicts.Marks marks = passageVerdicts == null ? null
      : passageVerdicts.marks(inspector.markVersion(tenant, kb), texts, recorded);
    java.util.List<JsonObject> using = marks == null ? recorded : marks.marks();
    java.util.function.Function<JsonObject, JsonObject> done = reply ->
      countPassages(marks == null ? reply : passageVerdicts.remember(texts, marks, reply));
    if (inspector.toInspect(texts.size(), using, tenant, kb) <= INLINE_PASSAGES) {
      return Future.succeededFuture(done.apply(inspector.inspectPassages(texts, using, tenant, kb)));
    }
    return vertx.executeBlocking(() -> inspector.inspectPassages(texts, using, tenant, kb), false).map(done);
  }

  // the verdicts recorded at ingestion, aligned with the texts: null entries (and a missing list) are inspected now
  private static java.util.List<JsonObject> marks(Object value, int texts) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof io.vertx.core.json.JsonArray array) || array.size() != texts) {
      throw ErrorCode.INVALID_REQUEST.exception("'marks' must be a list as long as 'texts'");
    }
    java.util.List<JsonObject> marks = new java.util.ArrayList<>(texts);
    for (Object o : array) {
      if (o != null && !(o instanceof JsonObject)) {
        throw ErrorCode.INVALID_REQUEST.exception("every mark must be an object or null");
      }
      marks.add((JsonObject) o);
    }
    return marks;
  }

  private JsonObject countPassages(JsonObject reply) {
    for (Object o : reply.getJsonArray("passages")) {
      if (((JsonObject) o).getBoolean("injection", false)) {
        meters.counter("ganglion.reflex.injections", "mode", reply.getBoolean("enforced") ? "indirect" : "shadow")
          .increment();
      }
    }
    return reply;
  }

  /** The local hot path: the answer goes back by reference, already encoded. */
  private void askLocal(Message<ReflexAsk> msg) {
    long started = System.nanoTime();
    answer(msg, gate.ask(msg.body()), started, null);
  }

  /** The public contract: JSON in and out, the cache status and rule in reply headers. */
  private void ask(Message<JsonObject> msg) {
    long started = System.nanoTime();
    ReflexAsk ask = new ReflexAsk(msg.body(), msg.headers().get(AskStreams.STREAM_HEADER), askTimeoutMs,
      "no-cache".equals(msg.headers().get(REFRESH_HEADER)));
    answer(msg, gate.ask(ask), started, a -> a.json());
  }

  private void answer(Message<?> msg, Future<ReflexAnswer> answer, long started,
                      java.util.function.Function<ReflexAnswer, Object> shape) {
    answer
      .onSuccess(a -> {
        if (a.source() != ReflexAnswer.Source.ORCHESTRATOR) {
          askLatency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        if (shape == null) {
          msg.reply(a);
          return;
        }
        DeliveryOptions headers = new DeliveryOptions().addHeader(CACHE_HEADER, a.cacheStatus());
        if (a.rule() != null) {
          headers.addHeader(RULE_HEADER, a.rule());
        }
        msg.reply(shape.apply(a), headers);
      })
      .onFailure(failure -> Handlers.fail(msg, failure));
  }

  private void count(Inspection inspection) {
    meters.counter("ganglion.reflex.actions", "action", inspection.action().wireName(),
      "direction", inspection.direction().wireName()).increment();
    for (Finding finding : inspection.findings()) {
      meters.counter("ganglion.reflex.findings", "type", finding.type()).increment();
    }
    if (!inspection.injectionChecked()) {
      return;
    }
    if (inspection.reasons().contains("injection")) {
      meters.counter("ganglion.reflex.injections", "mode", "enforce").increment();
    } else if (!inspection.injectionEnforced()
      && inspection.injection().score() >= inspection.injectionThreshold()) {
      // shadow mode: what the detector would have done, for the operator to judge before enforcing it
      meters.counter("ganglion.reflex.injections", "mode", "shadow").increment();
      LOG.info("shadow injection verdict: score {} stage {} rules {} version {}",
        String.format(java.util.Locale.ROOT, "%.3f", inspection.injection().score()), inspection.injection().stage(),
        inspection.injection().rules(), inspection.injection().version());
    }
  }
}
