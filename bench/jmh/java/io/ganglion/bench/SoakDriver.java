package io.ganglion.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's load generator (bench/soak.sh runs it): loads SciFact documents into a knowledge base, measures the
 * capacity of a mixed workload closed-loop, then drives it open-loop (Poisson arrivals, seeded) at a fraction of that
 * capacity for the soak's duration, with ingestion of a few documents a second beside it. Prints and writes
 * {@code minutes.tsv}: per minute, requests, errors (non-2xx, timeouts, refused, shed), p50 and p99 overall and the
 * p99 of each kind. An open loop keeps the arrival rate whatever the latency, so a server that slows down shows it in
 * latency and errors rather than hiding it by taking fewer requests.
 * <pre>
 * SoakDriver URL KEY CORPUS QUERIES OUT [docs=1000] [minutes=10] [load=0.7] [capacitySeconds=30] [ingestPerSecond=3]
 * </pre>
 */
public final class SoakDriver {

  /** The mix: kind and weight (ingestion runs beside it at its own rate). */
  private static final Map<String, Double> MIX = new LinkedHashMap<>();

  static {
    MIX.put("cached-ask", 0.30);
    MIX.put("fresh-ask", 0.10);
    MIX.put("search", 0.40);
    MIX.put("embed", 0.20);
  }

  private static final String[] CACHED = {
    "What does the white matter of newborns show on diffusion MRI?", "How do vaccines trigger an immune response?",
    "Which genes are linked to breast cancer risk?", "What causes antibiotic resistance in bacteria?",
    "How does obesity affect cardiovascular risk?"};

  private final String url;
  private final String key;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(2)).build();
  private final List<JsonObject> corpus;
  private final List<String> questions;
  private final Random random = new Random(17);

  /** One request: its minute, kind, latency, HTTP status (or -1 timeout, -2 shed, -3 I/O) and error code slug. */
  record Sample(int minute, String kind, long micros, int status, String code) {
    Sample(int minute, String kind, long micros, int status) {
      this(minute, kind, micros, status, null);
    }
  }

  private SoakDriver(String url, String key, List<JsonObject> corpus, List<String> questions) {
    this.url = url;
    this.key = key;
    this.corpus = corpus;
    this.questions = questions;
  }

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String key = args[1];
    List<JsonObject> corpus = readJsonLines(Path.of(args[2]));
    List<String> questions = readJsonLines(Path.of(args[3])).stream().map(q -> q.getString("text")).toList();
    Path out = Path.of(args[4]);
    int docs = args.length > 5 ? Integer.parseInt(args[5]) : 1000;
    int minutes = args.length > 6 ? Integer.parseInt(args[6]) : 10;
    double load = args.length > 7 ? Double.parseDouble(args[7]) : 0.7;
    int capacitySeconds = args.length > 8 ? Integer.parseInt(args[8]) : 30;
    double ingestPerSecond = args.length > 9 ? Double.parseDouble(args[9]) : 3;

    SoakDriver driver = new SoakDriver(url, key, corpus, questions);
    driver.load(docs);
    double capacity = driver.capacity(capacitySeconds, ingestPerSecond, docs);
    double rate = capacity * load;
    System.out.printf("capacity %.1f req/s (closed loop, 16 connections, %d s, ingestion beside); soak at %.0f%% = %.1f req/s for %d min, "
      + "ingesting %.1f docs/s%n", capacity, capacitySeconds, load * 100, rate, minutes, ingestPerSecond);
    Files.writeString(out.resolve("capacity.txt"), String.format("%.1f\t%.1f%n", capacity, rate));
    Files.writeString(out.resolve("soak-start.txt"), Long.toString(System.currentTimeMillis()));
    List<Sample> samples = driver.soak(rate, minutes, ingestPerSecond, docs);
    report(samples, minutes, out.resolve("minutes.tsv"));
    System.exit(0); // the HTTP client's threads would keep the JVM alive
  }

  private void load(int docs) throws Exception {
    send("POST", "/v1/kbs", new JsonObject().put("name", "soak"));
    // the ingestion stream writes to its own knowledge base: an ingest invalidates its KB's cached answers
    send("POST", "/v1/kbs", new JsonObject().put("name", "stream"));
    long started = System.nanoTime();
    for (int from = 0; from < docs; from += 20) {
      JsonArray batch = new JsonArray();
      for (int i = from; i < Math.min(docs, from + 20); i++) {
        batch.add(document(i));
      }
      HttpResponse<String> r = send("POST", "/v1/kbs/soak/documents", new JsonObject().put("documents", batch));
      if (r.statusCode() != 200) {
        throw new IllegalStateException("loading failed: " + r.statusCode() + " " + r.body());
      }
    }
    System.out.printf("loaded %d SciFact documents in %d s%n", docs, (System.nanoTime() - started) / 1_000_000_000);
    for (String q : CACHED) { // warm the answer cache
      send("POST", "/v1/kbs/soak/ask", new JsonObject().put("question", q));
    }
  }

  /** Completed requests per second of the mix, 16 workers back to back, with the ingestion stream running beside. */
  private double capacity(int seconds, double ingestPerSecond, int firstIngestDoc) throws InterruptedException {
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
      workers.submit(() -> arrivals(ingestPerSecond, start, end, new ConcurrentLinkedQueue<>(), new Semaphore(512), workers,
        new AtomicInteger(firstIngestDoc + 1_000_000)));
      for (int w = 0; w < 16; w++) {
        Random own = new Random(100 + w);
        workers.submit(() -> {
          while (System.nanoTime() < end) {
            try {
              HttpResponse<String> r = client.send(request(pick(own), own), HttpResponse.BodyHandlers.ofString());
              (r.statusCode() / 100 == 2 ? done : failed).incrementAndGet();
            } catch (Exception e) {
              failed.incrementAndGet();
            }
          }
        });
      }
    }
    if (failed.get() > 0) {
      System.out.println("capacity run: " + failed.get() + " failed requests");
    }
    return done.get() / (double) seconds;
  }

  private List<Sample> soak(double rate, int minutes, double ingestPerSecond, int firstIngestDoc) throws Exception {
    ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    Semaphore inFlight = new Semaphore(512);
    long start = System.nanoTime();
    long end = start + TimeUnit.MINUTES.toNanos(minutes);
    AtomicInteger nextDoc = new AtomicInteger(firstIngestDoc);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      pool.submit(() -> arrivals(rate, start, end, samples, inFlight, pool, null));
      pool.submit(() -> arrivals(ingestPerSecond, start, end, samples, inFlight, pool, nextDoc));
      long lastMinute = -1;
      while (System.nanoTime() < end) {
        TimeUnit.SECONDS.sleep(1);
        long minute = (System.nanoTime() - start) / TimeUnit.MINUTES.toNanos(1);
        if (minute != lastMinute) {
          System.out.printf("minute %d: %d requests so far%n", minute, samples.size());
          lastMinute = minute;
        }
      }
    }
    return new ArrayList<>(samples);
  }

  /** Issues requests with exponential gaps at {@code rate}; {@code ingest} non-null means one document per request. */
  private void arrivals(double rate, long start, long end, ConcurrentLinkedQueue<Sample> samples, Semaphore inFlight,
                        ExecutorService pool, AtomicInteger ingest) {
    Random arrivals = new Random(ingest == null ? 1 : 2);
    long next = start;
    while (next < end) {
      next += (long) (-Math.log(1 - arrivals.nextDouble()) / rate * 1e9);
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      String kind;
      HttpRequest request;
      synchronized (random) {
        kind = ingest != null ? "ingest" : pick(random);
        request = ingest != null ? ingestRequest(ingest.getAndIncrement()) : request(kind, random);
      }
      int minute = (int) ((System.nanoTime() - start) / TimeUnit.MINUTES.toNanos(1));
      if (!inFlight.tryAcquire()) {
        samples.add(new Sample(minute, kind, 0, -2)); // shed by the driver: the server fell far behind
        continue;
      }
      pool.submit(() -> {
        long t0 = System.nanoTime();
        int status;
        String code = null;
        try {
          HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
          status = response.statusCode();
          if (status / 100 != 2) {
            code = errorCode(response.body());
          }
        } catch (java.net.http.HttpTimeoutException e) {
          status = -1;
        } catch (Exception e) {
          status = -3;
        } finally {
          inFlight.release();
        }
        samples.add(new Sample(minute, kind, (System.nanoTime() - t0) / 1000, status, code));
      });
    }
  }

  private String pick(Random r) {
    double x = r.nextDouble();
    for (Map.Entry<String, Double> e : MIX.entrySet()) {
      x -= e.getValue();
      if (x < 0) {
        return e.getKey();
      }
    }
    return "search";
  }

  private HttpRequest request(String kind, Random r) {
    String q = questions.get(r.nextInt(questions.size()));
    return switch (kind) {
      case "cached-ask" -> post("/v1/kbs/soak/ask", new JsonObject().put("question", CACHED[r.nextInt(CACHED.length)]), false);
      case "fresh-ask" -> post("/v1/kbs/soak/ask", new JsonObject().put("question", q), true);
      case "search" -> post("/v1/kbs/soak/search", new JsonObject().put("query", q).put("k", 10), false);
      case "embed" -> post("/v1/embeddings", new JsonObject().put("input", q), false);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private HttpRequest ingestRequest(int i) {
    return post("/v1/kbs/stream/documents", new JsonObject().put("documents", new JsonArray().add(document(i))), false);
  }

  private JsonObject document(int i) {
    JsonObject d = corpus.get(i % corpus.size());
    return new JsonObject().put("id", "sf-" + d.getString("_id") + (i >= corpus.size() ? "-" + i : ""))
      .put("title", d.getString("title")).put("text", d.getString("text"));
  }

  private HttpRequest post(String path, JsonObject body, boolean fresh) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
      .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (fresh) {
      b.header("Cache-Control", "no-cache");
    }
    return b.build();
  }

  private HttpResponse<String> send(String method, String path, JsonObject body) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(120))
      .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
      .method(method, HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void report(List<Sample> samples, int minutes, Path tsv) throws IOException {
    List<String> kinds = new ArrayList<>(MIX.keySet());
    kinds.add("ingest");
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(tsv))) {
      StringBuilder header = new StringBuilder("minute\trequests\terrors\tp50_ms\tp99_ms");
      kinds.forEach(k -> header.append("\tp99_").append(k));
      out.println(header);
      System.out.println(header);
      for (int m = 0; m < minutes; m++) {
        int minute = m;
        List<Sample> in = samples.stream().filter(s -> s.minute() == minute).toList();
        long errors = in.stream().filter(s -> s.status() / 100 != 2).count();
        StringBuilder line = new StringBuilder().append(m + 1).append('\t').append(in.size()).append('\t').append(errors)
          .append('\t').append(fmt(percentile(in, 50))).append('\t').append(fmt(percentile(in, 99)));
        for (String k : kinds) {
          line.append('\t').append(fmt(percentile(in.stream().filter(s -> s.kind().equals(k)).toList(), 99)));
        }
        out.println(line);
        System.out.println(line);
      }
      Map<Integer, Long> byStatus = new java.util.TreeMap<>();
      samples.stream().filter(s -> s.status() / 100 != 2).forEach(s -> byStatus.merge(s.status(), 1L, Long::sum));
      String errors = "errors by status (-1 timeout, -2 shed, -3 I/O): " + byStatus;
      out.println("# " + errors);
      System.out.println(errors);
      Map<String, Long> byKind = new java.util.TreeMap<>();
      samples.stream().filter(s -> s.status() / 100 != 2)
        .forEach(s -> byKind.merge(s.kind() + " " + s.status() + " " + s.code(), 1L, Long::sum));
      String kindErrors = "errors by kind, status and code: " + byKind;
      out.println("# " + kindErrors);
      System.out.println(kindErrors);
    }
  }

  /** The {@code error.code} of an error body, or {@code "-"} when it has none. */
  private static String errorCode(String body) {
    try {
      JsonObject error = new JsonObject(body).getJsonObject("error");
      return error == null ? "-" : error.getString("code", "-");
    } catch (RuntimeException e) {
      return "-";
    }
  }

  private static double percentile(List<Sample> samples, int p) {
    long[] micros = samples.stream().filter(s -> s.status() / 100 == 2).mapToLong(Sample::micros).sorted().toArray();
    if (micros.length == 0) {
      return Double.NaN;
    }
    return micros[Math.min(micros.length - 1, (int) Math.ceil(p / 100.0 * micros.length) - 1)] / 1000.0;
  }

  private static String fmt(double ms) {
    return Double.isNaN(ms) ? "-" : String.format("%.1f", ms);
  }

  private static List<JsonObject> readJsonLines(Path file) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(new JsonObject(line));
        }
      }
    }
    return out;
  }
}
