#!/usr/bin/env bash
# Soak: MINUTES (10) of mixed traffic at LOAD (0.7) of the capacity measured just before, on one server
# (target/ganglion.jar, embedded PostgreSQL and Redis, its own data dir, 127.0.0.1). The mix, open-loop (Poisson
# arrivals, seeded): cached asks 30%, fresh asks (Cache-Control: no-cache) 10%, searches 40%, embeddings 20%, and
# ingestion of INGEST_PER_SECOND (3) documents a second beside it, on DOCS (1000) SciFact documents loaded first.
#
# Ingestion loads the server as an operator loading documents does: as jobs (Prefer: respond-async, 202) of 15
# documents, arriving at INGEST_PER_SECOND documents a second. Why not single-document synchronous ingests, as before:
# their embeddings share the model with the interactive traffic, which goes first, so at 70% of the mix's capacity
# the bulk lane's rate is whatever the interactive lane leaves, and on a shared machine that is often less than three
# documents a second. Synchronous ingests above that rate can only be refused (503 overloaded, by the deadline
# admission) or time out; measuring that would measure the machine's neighbours, not the server. A job never fails a
# document for overload, it waits, so what ingestion owes is completeness: after the soak the driver waits (at most
# DRAIN_MINUTES, 10) for every job to settle and counts every accepted document that was not indexed as an error
# (ingest-document, with its code, or unfinished); the time from a job's 202 to its end is reported as the lag.
#
# Per minute it prints requests, errors, p50/p99 (overall and p99 per kind), the heap after the minute's last GC
# (from the GC log), the server's open file descriptors and the machine's load average; then kills the server with
# SIGKILL and times the restart to /ready on the same data directory, stops it, and checks that no process of its
# data directory (the embedded PostgreSQL and Redis) is left. Before the restart it prints the verdict:
#   soak verdict: PASS|FAIL errors N {kind status code: n ...}; 4xx M {...}; p99 first minute A ms, last B ms (x);
#     live heap (full GC) at the start E MiB, after the drain F MiB (x); heap after young GC first minute C MiB,
#     last D MiB (x); ingestion I/J documents indexed, lag p99 L s
# PASS: 0 errors (no 5xx, timeout, request shed by the driver or accepted document left unindexed), the last minute's
# p99 at most FLAT (1.5) times the first minute's, and the live heap after the drain (a full collection by jcmd
# GC.run) at most FLAT times the live heap as the soak started (the heap after the minutes' young collections also
# counts old garbage not yet reclaimed by a marking cycle, so it is printed but does not decide). 4xx answers (the guard's 422 on a question it takes for an
# injection) are counted and printed apart: the server answered them on purpose. The script exits 0 either way once it ran to the end (the verdict is the result), 1 if it broke.
#   bench/soak.sh                          # 10 minutes
#   MINUTES=3 DOCS=300 bench/soak.sh       # a quick look
# Needs a JDK 21+ and python3; SCIFACT (../shared/data/scifact) for the corpus. Output in bench/out/soak/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MINUTES=${MINUTES:-10}
LOAD=${LOAD:-0.7}
DOCS=${DOCS:-1000}
INGEST_PER_SECOND=${INGEST_PER_SECOND:-3}
CAPACITY_SECONDS=${CAPACITY_SECONDS:-30}
DRAIN_MINUTES=${DRAIN_MINUTES:-10}
FLAT=${FLAT:-1.5}
PORT=${PORT:-18190}
SCIFACT=${SCIFACT:-$ROOT/../shared/data/scifact}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JCMD=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
OUT=$ROOT/bench/out/soak
BASE=http://127.0.0.1:$PORT
rm -rf "$OUT" && mkdir -p "$OUT"
DATA=$OUT/data
PID=
SAMPLER=

# the processes of our data directory: the embedded PostgreSQL and Redis (their command lines name it)
leftovers() {
  local pid
  for pid in $(pgrep -f -- "$DATA" 2>/dev/null || true); do
    [[ "$pid" != "$$" ]] && grep -qa -- "$DATA" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
  done
  return 0
}

cleanup() {
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null || true
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; fi
  # a server stopped cleanly stops its stores; after a failure they may be orphans: stop those of this directory
  local left
  left=$(leftovers)
  if [[ -n "$left" ]]; then
    echo "soak: stopping processes left in $DATA: $left" >&2
    kill -TERM $left 2>/dev/null || true
    for _ in $(seq 1 50); do [[ -z "$(leftovers)" ]] && break; sleep 0.2; done
    left=$(leftovers); [[ -n "$left" ]] && kill -KILL $left 2>/dev/null || true
  fi
}
trap cleanup EXIT

./mvnw -B -ntp -q -Pbench package -DskipTests
./mvnw -B -ntp -q -Pbench test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cp target/ganglion.jar "$OUT/ganglion.jar"

start_server() {
  "$JAVA" --add-modules jdk.incubator.vector -Xmx2g -Xlog:gc:file="$OUT/gc-$1.log":time \
    -Dlogback.configurationFile="$ROOT/bench/logback-quiet.xml" -jar "$OUT/ganglion.jar" \
    --dataDir="$DATA" --http.host=127.0.0.1 --http.port="$PORT" >>"$OUT/server-$1.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do
    curl -sf "$BASE/ready" >/dev/null 2>&1 && return 0
    kill -0 "$PID" 2>/dev/null || { echo "soak: server died" >&2; tail -20 "$OUT/server-$1.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "soak: server not ready after 60 s" >&2; exit 1
}

echo "soak: machine $(nproc) vCPU, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
start_server first
KEY=$(cat "$DATA/admin-key")
# one sample every 10 s: epoch, open fds of the server, 1-minute load average
( while kill -0 "$PID" 2>/dev/null; do
    echo "$(date +%s) $(ls "/proc/$PID/fd" 2>/dev/null | wc -l) $(cut -d' ' -f1 /proc/loadavg)" >> "$OUT/samples.txt"
    sleep 10
  done ) &
SAMPLER=$!

# the live heap: a full collection (jcmd GC.run) as the soak minutes start and again after the drain; the heap after
# the minutes' young collections also holds old garbage no marking cycle has reclaimed yet, so it rises between cycles
( while [[ ! -s "$OUT/soak-start.txt" ]] && kill -0 "$PID" 2>/dev/null; do sleep 0.5; done
  "$JCMD" "$PID" GC.run >/dev/null 2>&1 || true ) &
"$JAVA" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.ganglion.bench.SoakDriver \
  "$BASE" "$KEY" "$SCIFACT/corpus.jsonl" "$SCIFACT/queries.train.jsonl" "$OUT" \
  "$DOCS" "$MINUTES" "$LOAD" "$CAPACITY_SECONDS" "$INGEST_PER_SECOND" "$DRAIN_MINUTES" | tee "$OUT/driver.txt"
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=
"$JCMD" "$PID" GC.run >/dev/null 2>&1 || echo "soak: jcmd GC.run failed: no live heap at the end" >&2

python3 - "$OUT" "$FLAT" <<'PY'
import json, re, sys, datetime, pathlib
out = pathlib.Path(sys.argv[1])
flat = float(sys.argv[2])
start = int((out / "soak-start.txt").read_text()) / 1000
rows = [l.split("\t") for l in (out / "minutes.tsv").read_text().splitlines() if l and not l.startswith("#")]
header, rows = rows[0], rows[1:]
gcs = []
for line in (out / "gc-first.log").read_text().splitlines():
    m = re.match(r"\[(.+?)\].*?(\d+)M->(\d+)M\((\d+)M\)", line)
    if m:
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
        gcs.append((t, int(m.group(3))))
# the full collections jcmd asked for: the live heap as the soak started and after the drain
live = [int(m.group(1)) for m in re.finditer(r"Pause Full \((?:System\.gc\(\)|Diagnostic Command)\) \d+M->(\d+)M", (out / "gc-first.log").read_text())]
samples = [tuple(map(float, l.split())) for l in (out / "samples.txt").read_text().splitlines() if l.strip()]
print("\n| minute | requests | errors | p50 ms | p99 ms | " + " | ".join(h.replace("p99_", "p99 ") for h in header[5:])
      + " | heap after GC MiB | open fds | load |")
print("|" + "---|" * (len(header) + 3))
for r in rows:
    m = int(r[0]); lo, hi = start + (m - 1) * 60, start + m * 60
    heap = [h for t, h in gcs if lo <= t < hi]
    s = [x for x in samples if lo <= x[0] < hi]
    fds = int(max(x[1] for x in s)) if s else "-"
    load = f"{max(x[2] for x in s):.1f}" if s else "-"
    print("| " + " | ".join(r) + f" | {heap[-1] if heap else '-'} | {fds} | {load} |")

# the verdict: errors, p99 and heap of the first minute against the last
summary = json.loads((out / "summary.json").read_text())
heaps = []
for r in rows:
    m = int(r[0]); lo, hi = start + (m - 1) * 60, start + m * 60
    h = [x for t, x in gcs if lo <= t < hi]
    heaps.append(h[-1] if h else None)
p99 = summary["p99ByMinute"]
def ratio(a, b):
    return b / a if a and b is not None else float("nan")
p99r, heapr = ratio(p99[0], p99[-1]), ratio(heaps[0], heaps[-1])
liver = ratio(live[0], live[-1]) if len(live) >= 2 else float("nan")
ing = summary["ingestion"]
errors = summary["errors"]
ok = errors == 0 and p99r <= flat and liver <= flat and ing["indexed"] == ing["accepted"]
kinds = ", ".join(f"{k}: {v}" for k, v in summary["errorsByKind"].items()) or "none"
refusals = ", ".join(f"{k}: {v}" for k, v in summary["refusalsByKind"].items()) or "none"
lag = ing.get("lagP99Seconds")
fmt = lambda v, unit: "-" if v is None else f"{v:.1f} {unit}" if isinstance(v, float) else f"{v} {unit}"
print(f"\nsoak verdict: {'PASS' if ok else 'FAIL'} errors {errors} {{{kinds}}}; 4xx {summary['refusals']} {{{refusals}}}; "
      f"p99 first minute {fmt(p99[0], 'ms')}, last {fmt(p99[-1], 'ms')} ({p99r:.2f}x); "
      f"live heap (full GC) at the start {fmt(live[0] if live else None, 'MiB')}, after the drain "
      f"{fmt(live[-1] if len(live) >= 2 else None, 'MiB')} ({liver:.2f}x); "
      f"heap after young GC first minute {fmt(heaps[0], 'MiB')}, last {fmt(heaps[-1], 'MiB')} ({heapr:.2f}x); "
      f"ingestion {ing['indexed']}/{ing['accepted']} documents indexed ({ing['failed']} failed, {ing['unfinished']} unfinished), "
      f"lag p99 {fmt(lag, 's')}")
PY

# restart after a crash: SIGKILL, then a new server on the same data directory, timed to /ready
kill -KILL "$PID"; wait "$PID" 2>/dev/null || true
restart_started=$(date +%s%N)
start_server restart
restart_ms=$(( ($(date +%s%N) - restart_started) / 1000000 ))
echo "restart after SIGKILL: ready in $restart_ms ms (load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/driver.txt"
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=
for _ in $(seq 1 100); do [[ -z "$(leftovers)" ]] && break; sleep 0.2; done
left=$(leftovers)
echo "after the stop: ${left:-no} process of the data directory left" | tee -a "$OUT/driver.txt"
