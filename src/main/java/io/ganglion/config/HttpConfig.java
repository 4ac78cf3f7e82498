package io.ganglion.config;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The {@code http} section: where and how the HTTP verticle serves, how long slow clients may take (idle, request
 * head, request body), how many connections it holds, which addresses it serves ({@code allowCidrs}, with
 * {@code X-Forwarded-For} believed only from {@code trustedProxies}), and how long verified API keys are remembered
 * ({@code keyCacheSeconds}) and, while PostgreSQL is unavailable, still accepted ({@code keyStaleSeconds}).
 */
public record HttpConfig(String host, int port, int instances, long bodyLimitBytes, long requestTimeoutMs,
                         long shutdownGraceMs, long idleTimeoutMs, long headerTimeoutMs, long bodyTimeoutMs,
                         int maxConnections, int maxConnectionsPerAddress, List<String> allowCidrs,
                         List<String> trustedProxies, int keyCacheSeconds, int keyStaleSeconds, InFlight inFlight) {

  /**
   * {@code http.inFlight}: requests of each class in flight on this node at once, over every HTTP verticle instance;
   * one more is refused at once with 503 {@code overloaded} and {@code Retry-After} ({@code EdgeAdmission}). 0 (the
   * default) derives the limit from the cores, {@link #perCore} each: enough to keep the cores busy while each
   * waits on the stores and the models, few enough that the queue they form drains well within a request's
   * deadline. Ingestions get fewer: a synchronous ingest waits in inference's bulk lane by design (bulk parks
   * rather than refusing), so a larger limit only lets them queue to the request timeout (the soak at 16 per core:
   * 608 client timeouts; at 4: none, the excess refused at once). Embeddings get more: each is small, inference
   * admits it against its own bounded queue and deadline, and micro-batching needs the next batches queued while the
   * workers run the current ones (at 8 per core, 32 connections got 39 embeddings/s instead of 146: the workers
   * idled between batches while the refused connections spun).
   */
  public record InFlight(int asks, int searches, int ingestions, int embeddings) {

    /** Limits per core when a key is 0: asks, searches, ingestions, embeddings. */
    static final int[] PER_CORE = {8, 16, 4, 32};

    static InFlight from(ConfigReader r, int cores) {
      return new InFlight(limit(r, "asks", PER_CORE[0], cores), limit(r, "searches", PER_CORE[1], cores),
        limit(r, "ingestions", PER_CORE[2], cores), limit(r, "embeddings", PER_CORE[3], cores));
    }

    /** The limit of {@code name}: as configured, or {@code perCore} × the cores when 0. */
    static int perCore(int configured, int perCore, int cores) {
      return configured > 0 ? configured : perCore * Math.max(1, cores);
    }

    private static int limit(ConfigReader r, String name, int perCore, int cores) {
      return perCore(r.integer(name, 0, 0, 1_000_000), perCore, cores);
    }
  }

  public static HttpConfig from(JsonObject http) {
    ConfigReader r = new ConfigReader(http, "http");
    int instances = r.integer("instances", 0, 0, 256);
    int keyCache = r.integer("keyCacheSeconds", 30, 1, 86_400);
    int keyStale = r.integer("keyStaleSeconds", 300, 0, 7 * 86_400);
    if (keyStale != 0 && keyStale < keyCache) {
      throw new ConfigException("http.keyStaleSeconds", "must be 0 or at least http.keyCacheSeconds (" + keyCache + "), got " + keyStale);
    }
    return new HttpConfig(
      r.string("host", "0.0.0.0"),
      r.integer("port", 8080, 0, 65535),
      instances == 0 ? Runtime.getRuntime().availableProcessors() : instances,
      r.longValue("bodyLimitBytes", 10L << 20, 1024, 1L << 31),
      r.longValue("requestTimeoutMs", 30_000, 100, 3_600_000),
      r.longValue("shutdownGraceMs", 10_000, 0, 600_000),
      r.longValue("idleTimeoutMs", 60_000, 1000, 3_600_000),
      r.longValue("headerTimeoutMs", 10_000, 100, 600_000),
      r.longValue("bodyTimeoutMs", 60_000, 100, 3_600_000),
      r.integer("maxConnections", 10_000, 1, 1_000_000),
      r.integer("maxConnectionsPerAddress", 0, 0, 1_000_000),
      cidrs(r, "allowCidrs"),
      cidrs(r, "trustedProxies"),
      keyCache,
      keyStale,
      InFlight.from(r.child("inFlight"), Runtime.getRuntime().availableProcessors()));
  }

  /** A list of CIDRs, checked here so a typo fails start naming the key. */
  private static List<String> cidrs(ConfigReader r, String name) {
    List<String> cidrs = r.strings(name);
    try {
      io.ganglion.http.auth.CidrSet.parse(cidrs);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(r.key(name), e.getMessage());
    }
    return List.copyOf(cidrs);
  }
}
