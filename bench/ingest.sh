#!/usr/bin/env bash
# Ingestion throughput of two builds, interleaved in one run: for each round and each jar, a fresh server (its own data
# dir, embedded PostgreSQL and Redis, 127.0.0.1 only) ingests the first DOCS SciFact documents through
# POST /v1/kbs/{kb}/documents as ingestion jobs of BATCH documents submitted at once (timed from the first submission
# until every job is done; a synchronous request the node could not embed within its 30 s budget is refused with 503), and the table gives chunks/s per jar and round and the ratio of each jar's median to the first's. Written to compare ingestion before and
# after ingest-time injection screening (#15): build the older commit's jar in a scratch worktree and pass both.
#   JARS="/tmp/ganglion-before.jar target/ganglion.jar" bench/ingest.sh
#   DOCS=600 ROUNDS=3 BATCH=100 PORT=18090 JARS="a.jar b.jar" bench/ingest.sh
# The corpus is read from SCIFACT (../shared/data/scifact) and never copied into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
JARS=${JARS:-target/ganglion.jar}
DOCS=${DOCS:-400}
ROUNDS=${ROUNDS:-2}
BATCH=${BATCH:-100}
PORT=${PORT:-18090}
SCIFACT=${SCIFACT:-$PWD/../shared/data/scifact}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
BASE=http://127.0.0.1:$PORT
PID=
DATA=
OUT=$(mktemp "${TMPDIR:-/tmp}/ganglion-bench-ingest.XXXXXX")

stop() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
  fi
  PID=
  [[ -n "$DATA" ]] && rm -rf "$DATA"
  DATA=
}
trap 'stop; rm -f "$OUT"' EXIT

run() { # jar round
  DATA=$(mktemp -d "${TMPDIR:-/tmp}/ganglion-bench-ingest-data.XXXXXX")
  "$JAVA" --add-modules jdk.incubator.vector -Dlogback.configurationFile=bench/logback-quiet.xml \
    -jar "$1" --dataDir="$DATA" --http.host=127.0.0.1 --http.port="$PORT" >"$DATA/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 180); do
    curl -sf "$BASE/ready" >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { echo "server died:" >&2; tail -20 "$DATA/server.log" >&2; exit 1; }
    sleep 1
  done
  python3 - "$BASE" "$(cat "$DATA/admin-key")" "$SCIFACT/corpus.jsonl" "$DOCS" "$BATCH" "$1" "$2" \
    "$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT" <<'EOF'
import json, sys, time, urllib.request
base, key, corpus, docs, batch, jar, rnd, load = sys.argv[1:]
docs, batch = int(docs), int(batch)
def call(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    req.add_header("Authorization", "Bearer " + key)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read())
call("/v1/kbs", {"name": "bench"})
rows = []
with open(corpus) as f:
    for line in f:
        d = json.loads(line)
        rows.append({"id": d["_id"], "title": d.get("title") or None, "text": d["text"] or d.get("title") or "-"})
        if len(rows) == docs:
            break
groups = [rows[i:i + batch] for i in range(0, len(rows), batch)]
def get(path):
    req = urllib.request.Request(base + path)
    req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())
started = time.time()
jobs = [call("/v1/kbs/bench/documents", {"documents": g})["job"]["id"] for g in groups]
states = {}
while len(states) < len(jobs):
    for job in jobs:
        if job not in states:
            state = get(f"/v1/jobs/{job}")
            if state.get("status") in ("done", "failed"):
                states[job] = state
    time.sleep(0.1)
elapsed = time.time() - started
kb = get("/v1/kbs/bench")
chunks = kb["chunks"]
failed = sum(len(s.get("errors", [])) for s in states.values())
results = rows
print(f"{jar}\t{rnd}\t{len(results)}\t{failed}\t{chunks}\t{elapsed:.2f}\t{chunks / elapsed:.1f}\t{load}")
EOF
  stop
}

for round in $(seq 1 "$ROUNDS"); do
  for jar in $JARS; do
    run "$jar" "$round"
  done
done

echo "| jar | round | documents | failed | chunks | seconds | chunks/s | load (1 min) |"
echo "|---|---|---|---|---|---|---|---|"
awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8}' "$OUT"
python3 - "$OUT" <<'EOF'
import statistics, sys
by = {}
for line in open(sys.argv[1]):
    jar, _, _, _, _, _, rate, _ = line.rstrip("\n").split("\t")
    by.setdefault(jar, []).append(float(rate))
first = None
for jar, rates in by.items():
    m = statistics.median(rates)
    first = first or m
    print(f"{jar}: median {m:.1f} chunks/s, {m / first:.3f}x the first jar")
EOF
