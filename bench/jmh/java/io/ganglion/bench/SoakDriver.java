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
 * p99 of each kind, and {@code summary.json} (errors by kind, status and code; p99 per minute; the ingestion's
 * outcome) for the verdict. An open loop keeps the arrival rate whatever the latency, so a server that slows down
 * shows it in latency and errors rather than hiding it by taking fewer requests.
 * <p>
 * Ingestion loads documents the way an operator does: as jobs ({@code Prefer: respond-async}, 202), {@value
 * #JOB_DOCUMENTS} documents each, arriving at {@code ingestPerSecond} documents a second. A job waits for the model
 * however busy it is, so what ingestion owes is completeness and lag: after the soak the driver waits (at most
 * {@code drainMinutes}) for every job to finish and counts each accepted document that was not indexed as an error
 * ({@code ingest-document}, with its failure code, or {@code unfinished}). The time from a job's 202 to its last
 * document indexed is its lag.
 * <pre>
 * SoakDriver URL KEY CORPUS QUERIES OUT [docs=1000] [minutes=10] [load=0.7] [capacitySeconds=30] [ingestPerSecond=3]
 *   [drainMinutes=10]
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

  /** Documents per ingestion job (below {@code retrieval.asyncThreshold}: the Prefer header makes it a job). */
  static final int JOB_DOCUMENTS = 15;
  /** Status of a sample for a document a job failed, and for one still not indexed when the drain ended. */
  static final int DOCUMENT_FAILED = -4;
  static final int UNFINISHED = -5;

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
  /** The jobs the soak's ingestion started, until each is settled. */
  private final ConcurrentLinkedQueue<Job> jobs = new ConcurrentLinkedQueue<>();
  /** Whether the jobs started are the soak's (not the capacity run's). */
  private volatile boolean tracking;

  /** An ingestion job: its id, documents, the soak minute and time of its 202; then its outcome. */
  static final class Job {
    final String id;
    final int documents;
    final int minute;
    final long acceptedNanos;
    volatile JsonObject outcome;
    volatile long settledNanos;

    Job(String id, int documents, int minute, long acceptedNanos) {
      this.id = id;
      this.documents = documents;
      this.minute = minute;
      this.acceptedNanos = acceptedNanos;
    }
  }

  /**
   * One request: its minute, kind, latency, HTTP status (or -1 timeout, -2 shed, -3 I/O, -4 a job's document failed,
   * -5 a job's document not indexed after the drain) and error code slug.
   */
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
    int drainMinutes = args.length > 10 ? Integer.parseInt(args[10]) : 10;

    SoakDriver driver = new SoakDriver(url, key, corpus, questions);
    driver.load(docs);
    double capacity = driver.capacity(capacitySeconds, ingestPerSecond, docs);
    double rate = capacity * load;
    System.out.printf("capacity %.1f req/s (closed loop, 16 connections, %d s, ingestion beside); soak at %.0f%% = %.1f req/s for %d min, "
      + "ingesting %.1f docs/s%n", capacity, capacitySeconds, load * 100, rate, minutes, ingestPerSecond);
    Files.writeString(out.resolve("capacity.txt"), String.format("%.1f\t%.1f%n", capacity, rate));
    Files.writeString(out.resolve("soak-start.txt"), Long.toString(System.currentTimeMillis()));
    List<Sample> samples = driver.soak(rate, minutes, ingestPerSecond, docs);
    JsonObject ingestion = driver.drain(drainMinutes, samples);
    report(samples, minutes, out.resolve("minutes.tsv"), out.resolve("summary.json"), ingestion);
    System.exit(0); // the HTTP client's threads would keep the JVM alive
  }

  private void load(int docs) throws Exception {
    send("POST", "/v1/kbs", new JsonObject().put("name", "soak"));
    // the ingestion stream writes to its own knowledge base: an ingest invalidates its KB's cached answers
    send("POST", "/v1/kbs", new JsonObject().put("name", "stream"));
    long started = System.nanoTime();
    List<String> loading = new ArrayList<>();
    for (int from = 0; from < docs; from += 100) {
      JsonArray batch = new JsonArray();
      for (int i = from; i < Math.min(docs, from + 100); i++) {
        batch.add(document(i));
      }
      HttpResponse<String> r = client.send(jobRequest("/v1/kbs/soak/documents", batch), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 202) {
        throw new IllegalStateException("loading failed: " + r.statusCode() + " " + r.body());
      }
      loading.add(new JsonObject(r.body()).getJsonObject("job").getString("id"));
    }
    for (String id : loading) {
      JsonObject job;
      while (!settled(job = jobStatus(id))) {
        TimeUnit.SECONDS.sleep(1);
      }
      if (job.getInteger("failed", 0) > 0) {
        throw new IllegalStateException("loading failed: job " + job.encode());
      }
    }
    System.out.printf("loaded %d SciFact documents in %d s (jobs)%n", docs, (System.nanoTime() - started) / 1_000_000_000);
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
      workers.submit(() -> arrivals(ingestPerSecond / JOB_DOCUMENTS, start, end, new ConcurrentLinkedQueue<>(), new Semaphore(512), workers,
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
    tracking = true;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      pool.submit(() -> arrivals(rate, start, end, samples, inFlight, pool, null));
      pool.submit(() -> arrivals(ingestPerSecond / JOB_DOCUMENTS, start, end, samples, inFlight, pool, nextDoc));
      pool.submit(() -> pollJobs(end));
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

  /**
   * Issues requests with exponential gaps at {@code rate}; {@code ingest} non-null means ingestion jobs of
   * {@value #JOB_DOCUMENTS} documents, numbered from it.
   */
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
        request = ingest != null ? ingestRequest(ingest.getAndAdd(JOB_DOCUMENTS)) : request(kind, random);
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
          } else if (status == 202 && tracking && kind.equals("ingest")) {
            jobs.add(new Job(new JsonObject(response.body()).getJsonObject("job").getString("id"), JOB_DOCUMENTS,
              minute, System.nanoTime()));
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

  private HttpRequest ingestRequest(int first) {
    JsonArray batch = new JsonArray();
    for (int i = first; i < first + JOB_DOCUMENTS; i++) {
      batch.add(document(i));
    }
    return jobRequest("/v1/kbs/stream/documents", batch);
  }

  /** An ingestion of {@code documents} as a job ({@code Prefer: respond-async}), whatever their number. */
  private HttpRequest jobRequest(String path, JsonArray documents) {
    return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
      .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
      .header("Prefer", "respond-async")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("documents", documents).encode())).build();
  }

  /** Settles the soak's jobs as they finish, every 2 s, until {@code end} (epoch of System.nanoTime). */
  private void pollJobs(long end) {
    while (System.nanoTime() < end) {
      settleJobs();
      try {
        TimeUnit.SECONDS.sleep(2);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void settleJobs() {
    for (Job job : jobs) {
      if (job.outcome != null) {
        continue;
      }
      try {
        JsonObject status = jobStatus(job.id);
        if (settled(status)) {
          job.settledNanos = System.nanoTime();
          job.outcome = status;
        }
      } catch (Exception e) {
        // asked again on the next round; a job that never settles is counted unfinished
      }
    }
  }

  private JsonObject jobStatus(String id) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/v1/jobs/" + id))
      .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key).GET().build(),
      HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? new JsonObject(r.body()) : new JsonObject().put("status", "unknown");
  }

  private static boolean settled(JsonObject job) {
    return "done".equals(job.getString("status")) || "failed".equals(job.getString("status"));
  }

  /**
   * After the soak: waits up to {@code minutes} for every job to settle, then adds an error sample per accepted
   * document not indexed (failed in its job, or unfinished) and returns the ingestion's outcome
   * {@code {"jobs","accepted","indexed","failed","unfinished","lagP50Seconds","lagP99Seconds"}}.
   */
  private JsonObject drain(int minutes, List<Sample> samples) throws InterruptedException {
    long started = System.nanoTime();
    long end = started + TimeUnit.MINUTES.toNanos(minutes);
    while (System.nanoTime() < end && jobs.stream().anyMatch(j -> j.outcome == null)) {
      settleJobs();
      if (jobs.stream().anyMatch(j -> j.outcome == null)) {
        TimeUnit.SECONDS.sleep(2);
      }
    }
    int accepted = 0;
    int indexed = 0;
    int failed = 0;
    int unfinished = 0;
    List<Double> lags = new ArrayList<>();
    for (Job job : jobs) {
      accepted += job.documents;
      if (job.outcome == null) {
        unfinished += job.documents;
        for (int i = 0; i < job.documents; i++) {
          samples.add(new Sample(job.minute, "ingest-document", 0, UNFINISHED, "unfinished"));
        }
        continue;
      }
      indexed += job.outcome.getInteger("done", 0);
      failed += job.outcome.getInteger("failed", 0);
      lags.add((job.settledNanos - job.acceptedNanos) / 1e9);
      JsonArray errors = job.outcome.getJsonArray("errors", new JsonArray());
      for (int i = 0; i < job.outcome.getInteger("failed", 0); i++) {
        JsonObject e = i < errors.size() ? errors.getJsonObject(i).getJsonObject("error") : null;
        samples.add(new Sample(job.minute, "ingest-document", 0, DOCUMENT_FAILED,
          e == null ? "-" : e.getString("code", "-")));
      }
    }
    lags.sort(Double::compare);
    JsonObject outcome = new JsonObject().put("jobs", jobs.size()).put("accepted", accepted).put("indexed", indexed)
      .put("failed", failed).put("unfinished", unfinished)
      .put("drainSeconds", (System.nanoTime() - started) / 1_000_000_000)
      .put("lagP50Seconds", lags.isEmpty() ? null : lags.get((int) Math.ceil(0.5 * lags.size()) - 1))
      .put("lagP99Seconds", lags.isEmpty() ? null : lags.get((int) Math.ceil(0.99 * lags.size()) - 1));
    System.out.println("ingestion: " + outcome.encode());
    return outcome;
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

  private static void report(List<Sample> samples, int minutes, Path tsv, Path summary, JsonObject ingestion)
    throws IOException {
    List<String> kinds = new ArrayList<>(MIX.keySet());
    kinds.add("ingest");
    JsonArray p99 = new JsonArray();
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
        p99.add(Double.isNaN(percentile(in, 99)) ? null : percentile(in, 99));
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
      // errors: what the server failed to serve (5xx, timeouts, shed by the driver, documents not indexed); refusals:
      // what it answered with a 4xx on purpose (the guard's 422 on a question it took for an injection)
      JsonObject errorsByKind = new JsonObject();
      JsonObject refusalsByKind = new JsonObject();
      samples.stream().filter(s -> s.status() / 100 != 2).forEach(s -> {
        JsonObject into = s.status() >= 400 && s.status() < 500 ? refusalsByKind : errorsByKind;
        String label = s.kind() + " " + s.status() + " " + s.code();
        into.put(label, into.getLong(label, 0L) + 1);
      });
      Files.writeString(summary, new JsonObject().put("requests", samples.size())
        .put("errors", errorsByKind.stream().mapToLong(e -> (Long) e.getValue()).sum()).put("errorsByKind", errorsByKind)
        .put("refusals", refusalsByKind.stream().mapToLong(e -> (Long) e.getValue()).sum())
        .put("refusalsByKind", refusalsByKind)
        .put("p99ByMinute", p99).put("ingestion", ingestion).encodePrettily());
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
