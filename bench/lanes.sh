#!/usr/bin/env bash
# Search latency idle vs under a bulk ingestion that saturates the model, and what the search traffic costs the
# ingestion, measured in one server per bulk token budget (issue 14's lanes goal: search p99 under bulk <= 2x idle,
# ingestion >= 90% of its rate alone).
#
# For each BUDGETS value (inference.bulkBatchTokens) one fresh server (its own data dir, embedded PostgreSQL and Redis,
# 127.0.0.1 only, query-embedding cache off so every search embeds its query on the model) runs these phases:
#   setup        the first SEARCH_DOCS SciFact documents are ingested into KB "idx" (the KB searched; untimed, warms
#                the JVM)
#   idle         one sequential search client at RATE searches/s for IDLE_S seconds (hybrid, k=10, SciFact train
#                queries in turn): p50/p99
#   alone        the same DOCS documents ingested into a fresh KB as asynchronous jobs of BATCH documents, all
#                submitted at once; chunks/s from the first submission until every job is done
#   both         the same again into another fresh KB while the search client runs throughout: chunks/s and the
#                searches' p50/p99 while the ingestion ran
#   idle again   IDLE_S seconds of searches alone once more (the machine is shared: shows drift within the run)
# The table gives the ratios within each server: p99 under bulk / idle p99 (the first idle phase and the worse of the
# two), and chunks/s with searches / chunks/s alone; "model busy" is the workers' batch run time over the phase's
# wall time (from /metrics: 100% = one worker never idle), bulk inputs per chunk counts the chunk and its sentences.
# A second table says where the searches' time went in the idle and the both phases, from the server's meters over
# that phase: the query embedding's time on the model (submission to its batch's output, ganglion.inference.item.time
# of the interactive lane) and its wait for the cut (queue.wait), the search steps' wait for a retrieval pool thread
# (ganglion.retrieval.tasks.wait of the interactive lane), GC pauses, the batches run beside a bulk one, and the
# server process's CPU (user + system from /proc, in cores over the phase; for the idle phase also per search): the
# searches' own CPU is what a model-bound ingestion loses to them, so with searches ÷ alone cannot pass about
# 1 - (idle CPU cores ÷ alone CPU cores).
# JFR_DIR=dir records the server with Java Flight Recorder (profile settings) during each both phase, into
# dir/lanes-<entry>.jfr (then e.g. `jfr view hot-methods`, `jfr view thread-cpu-load` on it).
# A BUDGETS entry may carry server options after commas, e.g. "256,inference.interactiveWorkers=0" (compared in one
# run with "256").
#
#   nice -n 10 bench/lanes.sh
#   BUDGETS="2048 512 256" DOCS=300 SEARCH_DOCS=100 RATE=10 IDLE_S=30 JAR=target/ganglion.jar bench/lanes.sh
# SciFact is read from SCIFACT (../shared/data/scifact) and never copied into the repository. The whole run is
# bounded: every phase has a time limit (PHASE_LIMIT_S, default 600 s) after which the run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/ganglion.jar}
BUDGETS=${BUDGETS:-2048 512}
DOCS=${DOCS:-300}
SEARCH_DOCS=${SEARCH_DOCS:-100}
BATCH=${BATCH:-100}
RATE=${RATE:-10}
IDLE_S=${IDLE_S:-30}
PHASE_LIMIT_S=${PHASE_LIMIT_S:-600}
PORT=${PORT:-18095}
SCIFACT=${SCIFACT:-$PWD/../shared/data/scifact}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
BASE=http://127.0.0.1:$PORT
[[ -f "$SCIFACT/corpus.jsonl" && -f "$SCIFACT/queries.train.jsonl" ]] || { echo "no SciFact data at $SCIFACT" >&2; exit 1; }
PID=
DATA=
COPY=$(mktemp "${TMPDIR:-/tmp}/ganglion-bench-lanes.XXXXXX.jar")
OUT=$(mktemp "${TMPDIR:-/tmp}/ganglion-bench-lanes.XXXXXX.tsv")
HOPS=$(mktemp "${TMPDIR:-/tmp}/ganglion-bench-lanes-hops.XXXXXX.tsv")
# the server runs from a copy, so a rebuild during the run cannot change the jar under it
cp "$JAR" "$COPY"

stop() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
  fi
  PID=
  [[ -n "$DATA" ]] && rm -rf "$DATA"
  DATA=
}
trap 'stop; rm -f "$OUT" "$HOPS" "$COPY"' EXIT

run() { # budget[,key=value...]
  local entry=$1 budget=${1%%,*} extra=()
  if [[ "$entry" == *,* ]]; then
    IFS=, read -r -a opts <<<"${entry#*,}"
    for o in "${opts[@]}"; do extra+=("--$o"); done
  fi
  DATA=$(mktemp -d "${TMPDIR:-/tmp}/ganglion-bench-lanes-data.XXXXXX")
  GANGLION_INFERENCE_BULK_BATCH_TOKENS="$budget" GANGLION_INFERENCE_QUERY_CACHE_ENTRIES=0 \
    "$JAVA" --add-modules jdk.incubator.vector -Dlogback.configurationFile=bench/logback-quiet.xml \
    -jar "$COPY" --dataDir="$DATA" --http.host=127.0.0.1 --http.port="$PORT" "${extra[@]}" >"$DATA/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 180); do
    curl -sf "$BASE/ready" >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { echo "server died:" >&2; tail -20 "$DATA/server.log" >&2; exit 1; }
    sleep 1
  done
  curl -sf "$BASE/ready" >/dev/null || { echo "server not ready after 180 s" >&2; exit 1; }
  python3 - "$BASE" "$(cat "$DATA/admin-key")" "$SCIFACT" "$DOCS" "$BATCH" "$RATE" "$IDLE_S" "$PHASE_LIMIT_S" "$entry" "$SEARCH_DOCS" \
    "$HOPS" "$PID" "${JFR_DIR:-}" >>"$OUT" <<'EOF'
import http.client, json, os, re, subprocess, sys, threading, time, urllib.parse, urllib.request
base, key, scifact, docs, batch, rate, idle_s, limit_s, budget, search_docs, hops_file, pid, jfr_dir = sys.argv[1:]

def jcmd(*args):
    java_home = os.environ.get("JAVA_HOME")
    tool = os.path.join(java_home, "bin", "jcmd") if java_home else "jcmd"
    subprocess.run([tool, pid] + list(args), check=True, stdout=subprocess.DEVNULL)
docs, batch, rate, idle_s, limit_s = int(docs), int(batch), float(rate), float(idle_s), float(limit_s)

def call(method, path, body=None, timeout=120):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Authorization", "Bearer " + key)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())

def scrape():
    """Sums of the inference meters over their tags: batch run seconds, padded tokens, bulk inputs."""
    with urllib.request.urlopen(base + "/metrics", timeout=30) as resp:
        text = resp.read().decode()
    sums = {"run": 0.0, "tokens": 0.0, "bulk": 0.0}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        if name.startswith("ganglion_inference_batch_run_seconds_sum"):
            sums["run"] += float(value)
        elif name.startswith("ganglion_inference_batch_tokens_sum"):
            sums["tokens"] += float(value)
        elif name.startswith("ganglion_inference_items_total") and 'lane="bulk"' in name:
            sums["bulk"] += float(value)
    return sums

def meters():
    """Every sample of /metrics, by name with its labels."""
    with urllib.request.urlopen(base + "/metrics", timeout=30) as resp:
        text = resp.read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and " " in line:
            name, value = line.rsplit(" ", 1)
            try:
                out[name] = float(value)
            except ValueError:
                pass
    return out

def histogram(before, after, family, labels):
    """(count, {le seconds: cumulative count}) of one histogram family over a phase, summed over its other tags."""
    buckets, count = {}, 0.0
    for name, value in after.items():
        if not name.startswith(family) or not all(l in name for l in labels):
            continue
        delta = value - before.get(name, 0.0)
        if name.startswith(family + "_bucket"):
            le = re.search(r'le="([^"]+)"', name).group(1)
            bound = float("inf") if le == "+Inf" else float(le)
            buckets[bound] = buckets.get(bound, 0.0) + delta
        elif name.startswith(family + "_count"):
            count += delta
    return count, buckets

def quantile(h, q):
    """The upper bound (ms) of the bucket holding quantile q."""
    count, buckets = h
    if count <= 0:
        return float("nan")
    for le in sorted(buckets):
        if buckets[le] >= q * count:
            return le * 1000
    return float("nan")

def hops(before, after):
    item = histogram(before, after, "ganglion_inference_item_time_seconds", ['lane="interactive"'])
    wait = histogram(before, after, "ganglion_inference_queue_wait_seconds", ['lane="interactive"'])
    pool = histogram(before, after, "ganglion_retrieval_tasks_wait_seconds", ['lane="interactive"'])
    gc_ms = sum(v - before.get(k, 0.0) for k, v in after.items() if k.startswith("jvm_gc_pause_seconds_sum")) * 1000
    gc_n = sum(v - before.get(k, 0.0) for k, v in after.items() if k.startswith("jvm_gc_pause_seconds_count"))
    beside = sum(v - before.get(k, 0.0) for k, v in after.items()
                 if k.startswith("ganglion_inference_batches_beside_bulk_total"))
    return [f"{quantile(item, 0.5):.1f} / {quantile(item, 0.99):.1f}", f"{quantile(wait, 0.99):.1f}",
            f"{quantile(pool, 0.5):.1f} / {quantile(pool, 0.99):.1f}", f"{gc_ms:.0f} ({gc_n:.0f})", f"{beside:.0f}"]

def cpu():
    """The server process's CPU seconds so far (user + system, from /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]

rows = []
with open(scifact + "/corpus.jsonl") as f:
    for line in f:
        d = json.loads(line)
        rows.append({"id": d["_id"], "title": d.get("title") or None, "text": d["text"] or d.get("title") or "-"})
        if len(rows) == docs:
            break
queries = [json.loads(line)["text"] for line in open(scifact + "/queries.train.jsonl")]

def ingest(kb, rows):
    """Ingests rows into a new KB as jobs submitted at once; returns (chunks, seconds, failed documents, meters)."""
    call("POST", "/v1/kbs", {"name": kb})
    before = scrape()
    started = time.time()
    jobs = [call("POST", f"/v1/kbs/{kb}/documents", {"documents": rows[i:i + batch]})["job"]["id"]
            for i in range(0, len(rows), batch)]
    states = {}
    while len(states) < len(jobs):
        if time.time() - started > limit_s:
            raise SystemExit(f"ingestion into {kb} did not finish within {limit_s:.0f} s")
        for job in jobs:
            if job not in states:
                state = call("GET", f"/v1/jobs/{job}")
                if state.get("status") in ("done", "failed"):
                    states[job] = state
        time.sleep(0.05)
    elapsed = time.time() - started
    after = scrape()
    failed = sum(len(s.get("errors", [])) for s in states.values())
    used = {k: after[k] - before[k] for k in after}
    return call("GET", f"/v1/kbs/{kb}")["chunks"], elapsed, failed, used

class Searcher:
    """One keep-alive connection, one search at a time, paced at `rate` per second (late ones go at once)."""
    def __init__(self):
        self.conn = None
        self.next_query = 0
        self.errors = 0

    def connect(self):
        u = urllib.parse.urlparse(base)
        if self.conn is not None:
            self.conn.close()
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)

    def search(self, body):
        """One search; status and ms. A connection the server closed while idle is opened again, untimed."""
        for attempt in (0, 1):
            if self.conn is None:
                self.connect()
            t0 = time.perf_counter()
            try:
                self.conn.request("POST", "/v1/kbs/idx/search", body,
                                  {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
                resp = self.conn.getresponse()
                resp.read()
                return resp.status, (time.perf_counter() - t0) * 1000
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise

    def run(self, until):
        """Searches until until() is true; returns the latencies in ms."""
        latencies = []
        self.connect()
        slot = time.time()
        while not until():
            q = queries[self.next_query % len(queries)]
            self.next_query += 1
            status, ms = self.search(json.dumps({"query": q, "k": 10, "mode": "hybrid"}))
            if status == 200:
                latencies.append(ms)
            else:
                self.errors += 1
            slot += 1 / rate
            pause = slot - time.time()
            if pause > 0:
                time.sleep(pause)
            else:
                slot = time.time()
        return latencies

def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")

def idle(searcher):
    end = time.time() + idle_s
    return searcher.run(lambda: time.time() >= end)

ingest("idx", rows[:int(search_docs)])
searcher = Searcher()
# a few searches so the first measured one is not the JVM's first
end = time.time() + 5
searcher.run(lambda: time.time() >= end)
load_idle = load()
m0 = meters()
c0, t0 = cpu(), time.time()
idle1 = idle(searcher)
c1, t1 = cpu(), time.time()
m1 = meters()
load_alone = load()
ca0, ta0 = cpu(), time.time()
chunks_alone, secs_alone, failed_alone, used_alone = ingest("alone", rows)
ca1, ta1 = cpu(), time.time()
load_both = load()
done = threading.Event()
under = []
m2 = meters()
if jfr_dir:
    jcmd("JFR.start", "name=both", "settings=profile")
c2, t2 = cpu(), time.time()
t = threading.Thread(target=lambda: under.extend(searcher.run(done.is_set)), daemon=True)
t.start()
try:
    chunks_both, secs_both, failed_both, used_both = ingest("both", rows)
finally:
    done.set()
    t.join(120)
c3, t3 = cpu(), time.time()
m3 = meters()
if jfr_dir:
    jcmd("JFR.stop", "name=both", "filename=" + os.path.join(os.path.abspath(jfr_dir),
                                                            "lanes-" + re.sub(r"[^A-Za-z0-9_.=-]", "_", budget) + ".jfr"))
idle2 = idle(searcher)
out = [budget, load_idle, load_alone, load_both, load()]
for lat in (idle1, idle2, under):
    out += [str(len(lat)), f"{pct(lat, 50):.1f}", f"{pct(lat, 99):.1f}"]
out += [str(chunks_alone), f"{secs_alone:.1f}", f"{chunks_alone / secs_alone:.2f}", str(failed_alone),
        str(chunks_both), f"{secs_both:.1f}", f"{chunks_both / secs_both:.2f}", str(failed_both), str(searcher.errors),
        f"{100 * used_alone['run'] / secs_alone:.0f}", f"{100 * used_both['run'] / secs_both:.0f}",
        f"{used_alone['bulk'] / max(1, chunks_alone):.1f}", f"{used_alone['tokens'] / secs_alone:.0f}"]
print("\t".join(out))
with open(hops_file, "a") as f:
    for phase, lat, a, b, cores in (("idle", idle1, m0, m1, (c1 - c0) / (t1 - t0)),
                                    ("both", under, m2, m3, (c3 - c2) / (t3 - t2))):
        per = f"{1000 * (c1 - c0) / max(1, len(idle1)):.1f}" if phase == "idle" else "-"
        f.write("\t".join([budget, phase, f"{pct(lat, 50):.1f} / {pct(lat, 99):.1f}"] + hops(a, b)
                          + [f"{cores:.2f}", per]) + "\n")
    f.write("\t".join([budget, "alone", "-", "-", "-", "-", "-", "-", f"{(ca1 - ca0) / (ta1 - ta0):.2f}", "-"]) + "\n")
EOF
  stop
}

for budget in $BUDGETS; do
  run "$budget"
done

echo "## $(date -u '+%F %H:%M') UTC, $(nproc) cores, DOCS=$DOCS SEARCH_DOCS=$SEARCH_DOCS BATCH=$BATCH RATE=$RATE/s IDLE_S=$IDLE_S"
echo "| bulkBatchTokens | idle p50 / p99 ms (n) | under bulk p50 / p99 ms (n) | idle again p50 / p99 ms | p99 under ÷ idle (÷ worse idle) | ingestion alone chunks/s | with searches chunks/s | with ÷ alone | model busy alone / with | bulk inputs per chunk | padded tokens/s alone | failed docs | search non-2xx | load 1-min (idle, alone, both, end) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
python3 - "$OUT" <<'EOF'
import sys
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    budget, l1, l2, l3, l4 = f[:5]
    n1, p50a, p99a, n2, p50b, p99b, n3, p50u, p99u = f[5:14]
    ca, sa, ra, fa, cb, sb, rb, fb, errors = f[14:23]
    busy_a, busy_b, per_chunk, tokens = f[23:27]
    worse = max(float(p99a), float(p99b))
    print(f"| {budget} | {p50a} / {p99a} ({n1}) | {p50u} / {p99u} ({n3}) | {p50b} / {p99b} | "
          f"{float(p99u) / float(p99a):.2f}x ({float(p99u) / worse:.2f}x) | {ra} ({ca} in {sa} s) | "
          f"{rb} ({cb} in {sb} s) | {float(rb) / float(ra):.2f} | {busy_a}% / {busy_b}% | {per_chunk} | {tokens} | "
          f"{int(fa) + int(fb)} | {errors} | {l1}, {l2}, {l3}, {l4} |")
EOF
echo
echo "Where the searches' time went (server meters over the phase; ms, histogram bucket bounds):"
echo "| bulkBatchTokens | phase | search p50 / p99 (client) | query embedding p50 / p99 (submit to output) | its wait for the cut p99 | pool thread wait p50 / p99 | GC pauses ms (n) | batches beside bulk | server CPU cores | CPU ms per search |"
echo "|---|---|---|---|---|---|---|---|---|---|"
python3 - "$HOPS" <<'EOF'
import sys
for line in open(sys.argv[1]):
    print("| " + " | ".join(line.rstrip("\n").split("\t")) + " |")
EOF
